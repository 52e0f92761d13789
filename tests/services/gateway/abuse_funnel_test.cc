// Placeholder: to be written by the gateway insight work.
