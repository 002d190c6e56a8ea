//! (being written) The rvtools inventory reader.
