using AtymSecure.Cli;

// The `atym` command: every verb is a thin layer over one library entry point.
return await AtymApp.RunAsync(args);
