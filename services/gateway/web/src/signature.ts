// Reading the servable's typed signature (docs/markup.md): its named fields and types.
import type { IoSpec } from "./api/types";

/** The named fields of an input or output: a dict's properties, else the one value. */
export function fields(spec: IoSpec | undefined): [string, IoSpec][] {
  if (!spec) return [];
  if (spec.type === "dict" && spec.properties) return Object.entries(spec.properties);
  return [[spec.name ?? "input", spec]];
}

export function itemType(spec: IoSpec): string {
  const t = spec.item_type;
  return (typeof t === "string" ? t : t?.type) ?? "";
}

export function shapeText(spec: IoSpec): string {
  return `[${(spec.shape ?? []).map((d) => (d === null || d === -1 ? "?" : String(d))).join(", ")}]`;
}

export function describeType(spec: IoSpec): string {
  if (spec.type === "ndarray") return `ndarray ${itemType(spec)} ${shapeText(spec)}`;
  if (spec.type === "list") return `list of ${spec.item_type ? describeType(spec.item_type as IoSpec) : "values"}`;
  return spec.type ?? "any";
}

export function isNumeric(spec: IoSpec): boolean {
  return /float|int|uint|number|bool/.test(itemType(spec));
}

/** An image model's picture size: trailing [H, W] or [H, W, C<=4], or a flat square (8x8 = 64). */
export function imageSize(spec: IoSpec): [number, number] | null {
  if (spec.type !== "ndarray" || !isNumeric(spec)) return null;
  const dims = (spec.shape ?? []).map((d) => (typeof d === "number" && d > 0 ? d : 0));
  const last = dims[dims.length - 1];
  if (dims.length >= 3 && last <= 4 && dims[dims.length - 2] >= 8 && dims[dims.length - 3] >= 8)
    return [dims[dims.length - 3], dims[dims.length - 2]];
  if (dims.length >= 2 && last >= 8 && dims[dims.length - 2] >= 8) return [dims[dims.length - 2], last];
  const side = Math.round(Math.sqrt(last));
  if (dims.length === 2 && last >= 64 && side * side === last) return [side, side];
  return null;
}
