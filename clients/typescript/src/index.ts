// The DLHub gRPC client for Node.js: the public API (dlhub.v1.DLHubService) and
// the Open Inference Protocol (inference.GRPCInferenceService), generated from
// protos/ by ts-proto (clients/generate.py). Messages are plain objects;
// `X.fromPartial({...})` fills the defaults.
export * as dlhub from "./gen/dlhub/v1/dlhub";
export * as registry from "./gen/dlhub/v1/registry";
export * as search from "./gen/dlhub/v1/search";
export * as tasks from "./gen/dlhub/v1/tasks";
export * as types from "./gen/dlhub/v1/types";
export * as inference from "./gen/inference/open_inference";
