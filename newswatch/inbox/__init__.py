"""The analyst inbox: routing, grouping, cool-downs, digests, quiet hours and silences."""
