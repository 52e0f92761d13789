// Placeholder: to be written by the visit-quality work.
