// Command smoke exercises the DLHub gRPC API from Go: health, search, describe,
// a run through dlhub.v1 and one through the Open Inference Protocol.
//
//	go run ./cmd/smoke <host:port> <token> [owner/name]
//
// It prints one "key: value" line per step and exits non-zero on any error.
package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	dlhubv1 "github.com/DLHub-Argonne/dlhub/clients/go/dlhubv1"
	"github.com/DLHub-Argonne/dlhub/clients/go/inference"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
)

// The first of scikit-learn's 8x8 digits (a zero), pixel intensities 0..16.
var digit = []float32{
	0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0, 8, 8, 0,
	0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0,
}

func fail(step string, err error) {
	fmt.Fprintf(os.Stderr, "%s failed: %v\n", step, err)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: smoke <host:port> <token> [owner/name]")
		os.Exit(2)
	}
	address, token, ref := os.Args[1], os.Args[2], "local/digits"
	if len(os.Args) > 3 {
		ref = os.Args[3]
	}
	owner, name, ok := strings.Cut(ref, "/")
	if !ok {
		fail("arguments", fmt.Errorf("servable %q is not owner/name", ref))
	}
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fail("connect", err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)

	health, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		fail("health", err)
	}
	fmt.Printf("health: %s\n", health.GetStatus())

	api := dlhubv1.NewDLHubServiceClient(conn)
	found, err := api.Search(ctx, &dlhubv1.SearchRequest{Query: name})
	if err != nil {
		fail("search", err)
	}
	fmt.Printf("search: %d hit(s)\n", found.GetTotal())

	described, err := api.GetServable(ctx, &dlhubv1.GetServableRequest{
		Ref: &dlhubv1.ServableRef{Owner: owner, Name: name},
	})
	if err != nil {
		fail("describe", err)
	}
	summary := described.GetServable().GetSummary()
	fmt.Printf("describe: %s/%s v%d %q\n", summary.GetOwner(), summary.GetName(), summary.GetVersion(), summary.GetTitle())

	oip := inference.NewGRPCInferenceServiceClient(conn)
	model := owner + "." + name
	meta, err := oip.ModelMetadata(ctx, &inference.ModelMetadataRequest{Name: model})
	if err != nil {
		fail("metadata", err)
	}
	input := meta.GetInputs()[0].GetName()

	pixels := make([]byte, 4*len(digit))
	scaled := make([]float32, len(digit))
	for i, v := range digit {
		scaled[i] = v / 16
		binary.LittleEndian.PutUint32(pixels[4*i:], math.Float32bits(scaled[i]))
	}
	shape := []int64{1, int64(len(digit))}

	run, err := api.RunServable(ctx, &dlhubv1.RunServableRequest{
		Servable: &dlhubv1.ServableRef{Owner: owner, Name: name},
		Inputs:   []*dlhubv1.Tensor{{Name: input, Datatype: "FP32", Shape: shape, Data: pixels}},
		Wait:     true,
		Outputs:  []string{"label"},
	})
	if err != nil {
		fail("run", err)
	}
	task := run.GetTask()
	if task.GetState() != dlhubv1.TaskState_TASK_STATE_SUCCEEDED {
		fail("run", fmt.Errorf("task %s ended %s: %s", task.GetTaskId(), task.GetState(), task.GetError().GetMessage()))
	}
	label := int64(binary.LittleEndian.Uint64(task.GetOutputs()[0].GetData()))
	fmt.Printf("dlhub.v1 label: %d\n", label)

	inferred, err := oip.ModelInfer(ctx, &inference.ModelInferRequest{
		ModelName: model,
		Inputs: []*inference.ModelInferRequest_InferInputTensor{{
			Name: input, Datatype: "FP32", Shape: shape,
			Contents: &inference.InferTensorContents{Fp32Contents: scaled},
		}},
		Outputs: []*inference.ModelInferRequest_InferRequestedOutputTensor{{Name: "label"}},
	})
	if err != nil {
		fail("infer", err)
	}
	var oipLabel int64
	if raw := inferred.GetRawOutputContents(); len(raw) > 0 {
		oipLabel = int64(binary.LittleEndian.Uint64(raw[0]))
	} else {
		oipLabel = inferred.GetOutputs()[0].GetContents().GetInt64Contents()[0]
	}
	fmt.Printf("oip label: %d\n", oipLabel)
}
