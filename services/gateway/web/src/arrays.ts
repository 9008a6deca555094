// Arrays from what people have: pasted JSON or CSV, an uploaded .npy, or a picture.

/** Pasted text: JSON (nested lists) or CSV/whitespace-separated rows of numbers. */
export function parseArrayText(text: string): unknown {
  const t = text.trim();
  if (!t) throw new Error("give some data: JSON such as [[0.1, 0.2]] or CSV rows");
  if (t.startsWith("[") || t.startsWith("{")) {
    try {
      return JSON.parse(t);
    } catch (e) {
      throw new Error(`not valid JSON: ${(e as Error).message}`);
    }
  }
  return t
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line, i) =>
      line.split(/[,;\s]+/).filter(Boolean).map((cell) => {
        const n = Number(cell);
        if (Number.isNaN(n) && cell !== "NaN") throw new Error(`row ${i + 1}: ${JSON.stringify(cell)} is not a number`);
        return n;
      }),
    );
}

const NPY_TYPES: Record<string, [number, (v: DataView, o: number, le: boolean) => number]> = {
  f4: [4, (v, o, le) => v.getFloat32(o, le)],
  f8: [8, (v, o, le) => v.getFloat64(o, le)],
  i1: [1, (v, o) => v.getInt8(o)],
  u1: [1, (v, o) => v.getUint8(o)],
  i2: [2, (v, o, le) => v.getInt16(o, le)],
  u2: [2, (v, o, le) => v.getUint16(o, le)],
  i4: [4, (v, o, le) => v.getInt32(o, le)],
  u4: [4, (v, o, le) => v.getUint32(o, le)],
  i8: [8, (v, o, le) => Number(v.getBigInt64(o, le))],
  b1: [1, (v, o) => v.getUint8(o)],
};

/** A NumPy .npy file (format 1.0-3.0, C order) as nested lists. */
export function parseNpy(buffer: ArrayBuffer): unknown {
  const bytes = new Uint8Array(buffer);
  if (String.fromCharCode(...bytes.slice(1, 6)) !== "NUMPY") throw new Error("not a .npy file");
  const view = new DataView(buffer);
  const major = bytes[6];
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.slice(start, start + headerLen));
  const descr = /'descr':\s*'([<>|=])(\w\d)'/.exec(header);
  const shapeMatch = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !shapeMatch) throw new Error("unreadable .npy header");
  if (/'fortran_order':\s*True/.test(header)) throw new Error(".npy in Fortran order: save it in C order");
  const kind = NPY_TYPES[descr[2]];
  if (!kind) throw new Error(`.npy item type ${descr[2]} is not supported (use float32/64 or integers)`);
  const shape = shapeMatch[1].split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  const [size, read] = kind;
  const le = descr[1] !== ">";
  let offset = start + headerLen;
  const build = (depth: number): unknown => {
    if (depth === shape.length) {
      const x = read(view, offset, le);
      offset += size;
      return x;
    }
    return Array.from({ length: shape[depth] }, () => build(depth + 1));
  };
  return build(0);
}

/** A picture as grey levels in [0, 1] (ink high), h x w, in one row of h*w when flat. */
export async function imageToArray(file: File, h: number, w: number, flat: boolean): Promise<number[][] | number[][][]> {
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  const g = canvas.getContext("2d");
  if (!g) throw new Error("this browser cannot read images");
  g.drawImage(bitmap, 0, 0, w, h);
  const px = g.getImageData(0, 0, w, h).data;
  const grey: number[] = [];
  for (let i = 0; i < px.length; i += 4) grey.push((0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2]) / 255);
  const mean = grey.reduce((a, b) => a + b, 0) / grey.length;
  const values = mean > 0.5 ? grey.map((v) => 1 - v) : grey; // dark ink on light paper
  if (flat) return [values];
  return [Array.from({ length: h }, (_, r) => values.slice(r * w, (r + 1) * w))];
}
