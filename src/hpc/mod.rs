//! HPC burst planning (being written): Slurm job history, cluster description and replay.
