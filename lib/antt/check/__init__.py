"""Check: rules as data -> findings; a cycle's returns read, checked and assembled."""
