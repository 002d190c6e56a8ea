//! (being written) The azure_migrate inventory reader.
