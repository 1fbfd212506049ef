using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portier.Core.Devices;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Bundles;
using Portier.Server.Features.Doors;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Mqtt;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

public static class DevicesApi
{
    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(DevicesRoutes.Group, "Devices");
        group.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.DevicesRead);
        group.MapGet(ApiRoutes.Item, Get).RequirePermission(Permissions.DevicesRead);
        group.MapGet(DevicesRoutes.StatusChanges, StatusChanges).RequirePermission(Permissions.DevicesRead);
        group.MapGet(DevicesRoutes.Commands, Commands).RequirePermission(Permissions.DevicesRead);
        group.MapPost(ApiRoutes.Root, Create).RequirePermission(Permissions.DevicesWrite);
        group.MapDelete(ApiRoutes.Item, Unpair).RequirePermission(Permissions.DevicesWrite);
        group.MapPost(DevicesRoutes.PairingCode, IssuePairingCode).RequirePermission(Permissions.DevicesWrite);
        group.MapPost(DevicesRoutes.Pair, Pair).AllowAnonymous().RequireRateLimiting(DevicesExtensions.PairingRateLimit);
        return app;
    }

    private static async Task<Results<Ok<Paged<DeviceResponse>>, ProblemHttpResult>> List(
        PortierDbContext db, CurrentUser user, DeviceOnline online,
        Guid? siteId, Guid? doorId, string? state, int? page, int? pageSize, CancellationToken ct)
    {
        if (!QueryValues.TryParseEnum<DeviceState>(state, out var stateFilter)) return QueryValues.InvalidEnum<DeviceState>("state");
        var query = db.Set<Device>().AsNoTracking().VisibleTo(user);
        if (siteId is { } site) query = query.Where(d => d.SiteId == site);
        if (doorId is { } door) query = query.Where(d => d.DoorId == door);
        if (stateFilter is { } s) query = query.Where(d => d.State == s);
        query = query.OrderBy(d => d.Name).ThenBy(d => d.Id);
        return TypedResults.Ok(await new PageRequest(page, pageSize).ApplyAsync(query, d => DeviceResponse.From(d, online), ct));
    }

    private static async Task<Results<Ok<DeviceResponse>, ProblemHttpResult>> Get(
        Guid id, PortierDbContext db, CurrentUser user, DeviceOnline online, CancellationToken ct) =>
        await db.Set<Device>().AsNoTracking().VisibleTo(user).FirstOrDefaultAsync(d => d.Id == id, ct) is { } device
            ? TypedResults.Ok(DeviceResponse.From(device, online))
            : Problems.NotFound("Device");

    private static async Task<Results<Ok<Paged<DeviceStatusChangeResponse>>, ProblemHttpResult>> StatusChanges(
        Guid id, PortierDbContext db, CurrentUser user, int? page, int? pageSize, CancellationToken ct)
    {
        if (!await db.Set<Device>().VisibleTo(user).AnyAsync(d => d.Id == id, ct)) return Problems.NotFound("Device");
        var query = db.Set<DeviceStatusChange>().AsNoTracking().Where(c => c.DeviceId == id)
            .OrderByDescending(c => c.At).ThenByDescending(c => c.Id);
        return TypedResults.Ok(await new PageRequest(page, pageSize).ApplyAsync(query, DeviceStatusChangeResponse.From, ct));
    }

    private static async Task<Results<Ok<Paged<DeviceCommandResponse>>, ProblemHttpResult>> Commands(
        Guid id, PortierDbContext db, CurrentUser user, string? status, int? page, int? pageSize, CancellationToken ct)
    {
        if (!QueryValues.TryParseEnum<CommandStatus>(status, out var statusFilter)) return QueryValues.InvalidEnum<CommandStatus>("status");
        if (!await db.Set<Device>().VisibleTo(user).AnyAsync(d => d.Id == id, ct)) return Problems.NotFound("Device");
        var query = db.Set<DeviceCommand>().AsNoTracking().Where(c => c.DeviceId == id);
        if (statusFilter is { } s) query = query.Where(c => c.Status == s);
        query = query.OrderByDescending(c => c.SentAt).ThenByDescending(c => c.Id);
        return TypedResults.Ok(await new PageRequest(page, pageSize).ApplyAsync(query, DeviceCommandResponse.From, ct));
    }

    private static async Task<Results<Created<DeviceResponse>, ProblemHttpResult>> Create(
        DeviceRequest request, PortierDbContext db, CurrentUser user, DeviceOnline online, TimeProvider clock, CancellationToken ct)
    {
        var door = await db.Set<Door>().AsNoTracking().VisibleTo(user).FirstOrDefaultAsync(d => d.Id == request.DoorId, ct);
        if (door is null) return Problems.BadRequest("door_not_found", "The door was not found.", "doorId");
        if (await db.Set<Device>().AnyAsync(d => d.DoorId == door.Id && d.State != DeviceState.Revoked, ct))
            return Problems.Conflict("door_has_device", "The door already has a controller; unpair it first.", "doorId");
        var device = new Device
        {
            SiteId = door.SiteId,
            DoorId = door.Id,
            Name = request.Name.Trim(),
            Model = request.Model?.Trim(),
            CreatedAt = clock.GetCurrentInstant(),
        };
        db.Add(device);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/devices/{device.Id}", DeviceResponse.From(device, online));
    }

    /// <summary>Revokes the device: its credentials stop working and its MQTT session ends at once.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Unpair(
        Guid id, PortierDbContext db, CurrentUser user, IDeviceLink link, CancellationToken ct)
    {
        var device = await db.Set<Device>().VisibleTo(user).FirstOrDefaultAsync(d => d.Id == id, ct);
        if (device is null) return Problems.NotFound("Device");
        if (device.State == DeviceState.Revoked) return TypedResults.NoContent();
        device.Revoke();
        await db.SaveChangesAsync(ct);
        await link.DisconnectAsync(id);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<PairingCodeResponse>, ProblemHttpResult>> IssuePairingCode(
        Guid id, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var device = await db.Set<Device>().VisibleTo(user).FirstOrDefaultAsync(d => d.Id == id, ct);
        if (device is null) return Problems.NotFound("Device");
        if (device.State == DeviceState.Revoked)
            return Problems.Conflict("device_revoked", "The device was unpaired; create a new device for the door.");
        var code = device.IssuePairingCode(clock.GetCurrentInstant());
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new PairingCodeResponse(device.Id, code, device.PairingCodeExpiresAt!.Value.ToDateTimeOffset()));
    }

    /// <summary>
    /// Redeems a pairing code. Unknown device, wrong, expired or used code all answer the same
    /// problem so that nothing is learned by guessing.
    /// </summary>
    private static async Task<Results<Ok<PairResponse>, ProblemHttpResult>> Pair(
        PairRequest request, PortierDbContext db, TimeProvider clock, IDeviceLink link, IOptions<MqttOptions> mqtt, BundleKeys keys, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var device = await db.Set<Device>().FirstOrDefaultAsync(d => d.Id == request.DeviceId, ct);
        if (device is null || !device.AcceptsPairingCode(request.PairingCode, now)) return InvalidCode();
        var wasPaired = device.State == DeviceState.Paired;
        var secret = device.Pair(request.HardwareId.Trim(), now);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return InvalidCode();
        }
        // Pairing again replaces the credentials: end any session opened with the old ones.
        if (wasPaired) await link.DisconnectAsync(device.Id);
        var o = mqtt.Value;
        var broker = new BrokerEndpoint(o.AdvertisedHost ?? o.Host, o.Port, DeviceProtocol.TopicPrefix(device.Id));
        var offline = new OfflineKeys(device.SiteId, Convert.ToBase64String(keys.PublicKey(device.SiteId)), Convert.ToBase64String(keys.CredentialKey(device.SiteId)));
        return TypedResults.Ok(new PairResponse(device.Id, device.Id.ToString(), secret, broker, DeviceProtocol.OfflineVersion, offline));
    }

    private static ProblemHttpResult InvalidCode() =>
        Problems.BadRequest("pairing_code_invalid", "The pairing code is not valid for this device, has expired or was already used.");
}
