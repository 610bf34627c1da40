"""Channel-agnostic features: each module turns one kind of request into replies."""
