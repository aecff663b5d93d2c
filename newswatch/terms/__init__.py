"""Terms-of-service and policy watch: versioned copies, readable diffs, AI-clause changes."""
