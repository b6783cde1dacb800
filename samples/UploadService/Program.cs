using VodRaw.Samples.UploadService;

await UploadServiceApp.Build(args).RunAsync();
