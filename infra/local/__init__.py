"""Docker-free local Lambda tooling: template parsing, one-shot invoke, Lambda-Invoke API server."""
