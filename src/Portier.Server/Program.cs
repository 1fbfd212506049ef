using Portier.Server.Features.Audit;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Health;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Mqtt;
using Portier.Server.Infrastructure.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddPortierHttp().AddPortierOpenApi().AddPortierPersistence().AddPortierAuth().AddPortierHealth();
builder.Services.AddPortierDevices().AddPortierMqtt();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

await app.MigratePortierDatabaseAsync();
await app.EnsureBootstrapAdminAsync();

app.MapHealthApi().MapPortierOpenApi();
app.MapAuthApi().MapAdminsApi().MapAuditApi();
app.MapSitesApi().MapDevicesApi();

await app.RunAsync();

public partial class Program;
