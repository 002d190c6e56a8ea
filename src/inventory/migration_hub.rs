//! (being written) The migration_hub inventory reader.
