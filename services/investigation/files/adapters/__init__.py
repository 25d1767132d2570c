"""The files subcontext has no adapters of its own: the store is shared/files/."""
