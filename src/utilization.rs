//! (being written) Utilization history reader.
