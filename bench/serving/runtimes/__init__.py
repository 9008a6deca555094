"""Custom runtimes for the peer servers; each file runs inside that peer's own venv."""
