using Portier.Server.Components;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Alarms;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Bundles;
using Portier.Server.Features.Calendars;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Demo;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Features.DoorStates;
using Portier.Server.Features.Events;
using Portier.Server.Features.Grants;
using Portier.Server.Features.Health;
using Portier.Server.Features.Invites;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Lockdowns;
using Portier.Server.Features.MemberApp;
using Portier.Server.Features.Passback;
using Portier.Server.Features.Occupancy;
using Portier.Server.Features.People;
using Portier.Server.Features.Qualifications;
using Portier.Server.Features.Reports;
using Portier.Server.Features.Scopes;
using Portier.Server.Features.Sites;
using Portier.Server.Features.Telemetry;
using Portier.Server.Features.Unlocks;
using Portier.Server.Features.Webhooks;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure.Background;
using Portier.Server.Infrastructure.Email;
using Portier.Server.Infrastructure.Hosting;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Mqtt;
using Portier.Server.Infrastructure.Outbound;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Infrastructure.Redis;
using Portier.Server.Infrastructure.Secrets;

var builder = WebApplication.CreateBuilder(args).UseDemoSwitch(args);
builder.Services.AddSingleton(TimeProvider.System);
// First, so the exporters are listening before any feature's background work starts.
builder.AddPortierTelemetry();
builder.Services.AddPortierHttp().AddPortierOutbound().AddPortierOpenApi().AddPortierPersistence().AddPortierLeases().AddPortierAudit().AddPortierAuth().AddPortierHealth().AddPortierRedis();
builder.Services.AddPortierDecisions().AddPortierDoors();
builder.Services.AddPortierCredentials().AddAccessLog().AddPortierEmail().AddPortierDevices().AddPortierMqtt().AddPortierUnlocks()
    .AddLiveEvents().AddOccupancy().AddWebhooks().AddEventAccess().AddPortierInvites();
builder.Services.AddPortierAlarms().AddPortierDoorLatches().AddPortierLockdowns().AddPortierBundles().AddPortierPassback().AddPortierCalendars()
    .AddPortierQualifications();
builder.AddPortierConsole();
builder.AddPortierSso();

var app = builder.Build();
if (!ListenPorts.EnsureFree(app, Console.Error))
{
    Environment.ExitCode = 1;
    return;
}
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMemberAppServiceWorker();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseAntiforgery();

await app.MigratePortierDatabaseAsync();
if (args is ["verify", ..])
{
    Environment.ExitCode = await AccessLogVerifier.RunCommandAsync(app.Services, args, Console.Out);
    return;
}
await app.CheckSharedKeysAsync();
await app.EnsureBootstrapAdminAsync();
await app.AnnounceSetupCodeAsync();
await app.SeedDemoAsync();

app.MapHealthApi().MapPortierOpenApi();
app.MapPortierTelemetry();
app.MapAuthApi().MapAdminsApi().MapAuditApi().MapSsoSignIn();
app.MapSitesApi().MapZonesApi().MapDoorsApi().MapScopesApi().MapCalendarsApi();
app.MapPeopleApi().MapGrantsApi().MapCredentialsApi().MapQualificationsApi();
app.MapAccessLogApi().MapLiveEvents().MapDecisionsApi();
app.MapMemberSignInApi().MapMemberDoorsApi().MapMemberHomeApi().MapMemberAppAdminApi().MapAppMessagesApi();
app.MapDevicesApi().MapReadersApi().MapBundlesApi().MapUnlocksApi().MapAlarmsApi().MapDoorStatesApi();
app.MapOccupancyApi().MapPassbackApi().MapWebhooksApi().MapReportsApi().MapLockdownsApi();
app.MapEventAccessApi();
app.MapInvitesModule();
app.MapPortierConsole();

await app.RunAsync();

public partial class Program;
