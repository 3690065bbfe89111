// Fleet tests run many device agents (container threads, trials) on a 2-core machine: one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
