"""The files to make: jobs, their input hashes, and the registry of document kinds."""
