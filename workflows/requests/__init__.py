"""The request service and what drives it: registration, import, queries, the steps as forms, the sweep, the demo."""
