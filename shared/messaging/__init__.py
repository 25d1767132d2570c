"""NATS JetStream adapters: connection and stream, outbox relay, inbox consumer."""
