"""gRPC plumbing shared by every service: servers, channels, error mapping."""
