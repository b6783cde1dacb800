using VodRaw.Cli;

// Ctrl+C cancels the token System.CommandLine passes to the running command; the upload aborts cleanly (exit 130).
return await VodRawCli.RunAsync(args, CliEnvironment.Console());
