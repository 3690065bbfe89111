// One container process: everything is in the sandbox library (runtime/Sandbox/Isolation/ContainerProcessHost.cs),
// so the agent side and this side of the IPC protocol are built and tested together.
return AtymSecure.Runtime.Isolation.ContainerProcessHost.Run(args);
