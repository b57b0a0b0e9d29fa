// NuriCompute: the national AI computing centre's GPU pool — allocations (who may use how many
// GPU-hours), the scheduling policy (multifactor priority, Fair Tree, backfill, preemption), the
// simulator that replays a job trace through that policy, and the Slurm driver that enforces
// allocations on a real cluster. No HTTP types: NuriServer speaks `/api/compute`.
