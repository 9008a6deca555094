// Exercises the DLHub gRPC API from Node.js: health, search, describe, a run
// through dlhub.v1 and one through the Open Inference Protocol.
//
//   node dist/smoke/smoke.js <host:port> <token> [owner/name]
//
// Prints one "key: value" line per step; exits non-zero on any error.
import { credentials, Metadata, ServiceError } from "@grpc/grpc-js";
import { dlhub, inference, search, registry, tasks } from "../src";

// The first of scikit-learn's 8x8 digits (a zero), pixel intensities 0..16.
const DIGIT = [
  0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0, 8, 8, 0,
  0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0,
];

type Callback<Res> = (error: ServiceError | null, response: Res) => void;

// A unary call as a promise: call((done) => client.method(request, metadata, done)).
function call<Res>(start: (done: Callback<Res>) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => start((error, response) => (error ? reject(error) : resolve(response))));
}

async function health(address: string): Promise<string> {
  // grpc.health.v1 by hand: one empty request, field 1 of the answer is the status enum.
  const { Client } = await import("@grpc/grpc-js");
  const client = new Client(address, credentials.createInsecure());
  const status = await new Promise<number>((resolve, reject) =>
    client.makeUnaryRequest(
      "/grpc.health.v1.Health/Check",
      () => Buffer.alloc(0),
      (bytes: Buffer) => (bytes.length >= 2 && bytes[0] === 0x08 ? bytes[1] : 0),
      {},
      (error: ServiceError | null, value?: number) => (error ? reject(error) : resolve(value ?? 0)),
    ),
  );
  client.close();
  return ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"][status] ?? String(status);
}

async function main(): Promise<void> {
  const [address, token, ref = "local/digits"] = process.argv.slice(2);
  if (!address || !token) throw new Error("usage: smoke <host:port> <token> [owner/name]");
  const [owner, name] = ref.split("/");
  if (!owner || !name) throw new Error(`servable ${JSON.stringify(ref)} is not owner/name`);
  const md = new Metadata();
  md.set("authorization", `Bearer ${token}`);

  console.log(`health: ${await health(address)}`);
  const api = new dlhub.DLHubServiceClient(address, credentials.createInsecure());
  const found = await call<search.SearchResponse>((done) =>
    api.search(search.SearchRequest.fromPartial({ query: name }), md, done),
  );
  console.log(`search: ${found.total} hit(s)`);

  const described = await call<registry.GetServableResponse>((done) =>
    api.getServable(registry.GetServableRequest.fromPartial({ ref: { owner, name } }), md, done),
  );
  const summary = described.servable?.summary;
  console.log(`describe: ${summary?.owner}/${summary?.name} v${summary?.version} ${JSON.stringify(summary?.title)}`);

  const oip = new inference.GRPCInferenceServiceClient(address, credentials.createInsecure());
  const model = `${owner}.${name}`;
  const meta = await call<inference.ModelMetadataResponse>((done) =>
    oip.modelMetadata(inference.ModelMetadataRequest.fromPartial({ name: model }), md, done),
  );
  const input = meta.inputs[0].name;

  const scaled = DIGIT.map((v) => v / 16);
  const pixels = Buffer.from(new Float32Array(scaled).buffer);
  const shape = [1, DIGIT.length];
  const run = await call<tasks.RunServableResponse>((done) =>
    api.runServable(
      tasks.RunServableRequest.fromPartial({
      servable: { owner, name },
      inputs: [{ name: input, datatype: "FP32", shape, data: pixels }],
      wait: true,
      outputs: ["label"],
      }),
      md,
      done,
    ),
  );
  const task = run.task;
  if (!task || task.state !== tasks.TaskState.TASK_STATE_SUCCEEDED) {
    throw new Error(`task ${task?.taskId} ended ${task?.state}: ${task?.error?.message}`);
  }
  console.log(`dlhub.v1 label: ${task.outputs[0].data.readBigInt64LE(0)}`);

  const inferred = await call<inference.ModelInferResponse>((done) =>
    oip.modelInfer(
      inference.ModelInferRequest.fromPartial({
      modelName: model,
      inputs: [{ name: input, datatype: "FP32", shape, contents: { fp32Contents: scaled } }],
      outputs: [{ name: "label" }],
      }),
      md,
      done,
    ),
  );
  const label =
    inferred.rawOutputContents.length > 0
      ? inferred.rawOutputContents[0].readBigInt64LE(0).toString()
      : String(inferred.outputs[0].contents?.int64Contents[0]);
  console.log(`oip label: ${label}`);
  api.close();
  oip.close();
}

main().catch((error: unknown) => {
  console.error(`smoke failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
