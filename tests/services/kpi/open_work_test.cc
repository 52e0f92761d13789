// Placeholder: to be written by the service-flows work.
