"""Changes to the sandbox's world. Each change updates records and dispatches its events."""
