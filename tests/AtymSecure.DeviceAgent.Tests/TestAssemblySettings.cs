// Device tests start real container threads on a 2-core machine; one class at a time keeps them
// from starving each other's threads.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
