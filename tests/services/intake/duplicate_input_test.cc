// Placeholder: to be written by the duplicate-input work.
