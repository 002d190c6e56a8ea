//! (being written) The google_mc inventory reader.
