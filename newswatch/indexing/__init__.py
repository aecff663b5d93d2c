"""Index stage: mappings, bulk upserts with deterministic ids, failures and the disk spool."""
