using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Auth;
using Portier.Server.Features.People;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Outbound;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Invites;

/// <summary>Channels and their handlers, the tenant access settings, QR signing keys and members' invite permission.</summary>
public static class ChannelsApi
{
    private const string Masked = "********";

    public static IEndpointRouteBuilder MapChannelsApi(this IEndpointRouteBuilder app)
    {
        app.MapModuleGroup(ChannelsRoutes.Handlers, "Channels").MapGet(ApiRoutes.Root, ListHandlers).RequirePermission(Permissions.ChannelsRead);

        var channels = app.MapModuleGroup(ChannelsRoutes.Group, "Channels");
        channels.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.ChannelsRead);
        channels.MapGet(ApiRoutes.Item, Get).RequirePermission(Permissions.ChannelsRead);
        channels.MapPost(ApiRoutes.Root, Create).RequirePermission(Permissions.ChannelsCreate);
        channels.MapPut(ApiRoutes.Item, Update).RequirePermission(Permissions.ChannelsUpdate);
        channels.MapPost(ChannelsRoutes.InboundSecret, RotateInboundSecret).RequirePermission(Permissions.ChannelsUpdate);
        channels.MapDelete(ApiRoutes.Item, Delete).RequirePermission(Permissions.ChannelsDelete);
        channels.MapPut(ChannelsRoutes.Sites, LinkSites).RequirePermission(Permissions.LocationsLink);

        // The settings stay reachable while the module is off, so it can be switched back on.
        var settings = app.MapApiGroup(AccessSettingsRoutes.Group, "Access settings");
        settings.MapGet(ApiRoutes.Root, GetSettings).RequirePermission(Permissions.AccessSettingsRead);
        settings.MapPut(ApiRoutes.Root, PutSettings).RequirePermission(Permissions.AccessSettingsWrite);
        settings.MapGet(AccessSettingsRoutes.QrKeys, ListKeys).RequirePermission(Permissions.AccessSettingsRead);
        settings.MapPost(AccessSettingsRoutes.RotateKey, RotateKey).RequirePermission(Permissions.AccessSettingsWrite);
        settings.MapPost(AccessSettingsRoutes.RetireKey, RetireKey).RequirePermission(Permissions.AccessSettingsWrite);
        app.MapModuleGroup(GateRoutes.Group, "Gate validation").MapGet(AccessSettingsRoutes.QrKeys, ListKeys).RequirePermission(Permissions.AccessValidate);

        var people = app.MapApiGroup(PeopleRoutes.Group, "People");
        people.MapGet(AccessSettingsRoutes.MemberPermissions, GetMemberPermissions).RequirePermission(Permissions.PeopleRead);
        people.MapPut(AccessSettingsRoutes.MemberPermissions, PutMemberPermissions).RequirePermission(Permissions.PeopleWrite);
        return app;
    }

    private static IReadOnlyList<ChannelHandler> ListHandlers() => ChannelHandlers.All;

    public static async Task<AccessSettings> SettingsAsync(PortierDbContext db, CancellationToken ct) =>
        await db.Set<AccessSettings>().FirstOrDefaultAsync(s => s.Id == AccessSettings.SingletonId, ct) ?? new AccessSettings();

    private static async Task<Guid?> DefaultChannelAsync(PortierDbContext db, CancellationToken ct) => (await SettingsAsync(db, ct)).DefaultChannelId;

    private static async Task<Paged<ChannelResponse>> List(
        PortierDbContext db, Guid? siteId, bool? active, int? page, int? pageSize, CancellationToken ct)
    {
        var defaultId = await DefaultChannelAsync(db, ct);
        var rows = await db.Set<Channel>().AsNoTracking().ToListAsync(ct);
        var filtered = rows.Where(c => (active is null || c.Active == active) && (siteId is null || c.SiteIds.Contains(siteId.Value)))
            .OrderBy(c => c.DisplayOrder).ThenBy(c => c.Code, StringComparer.Ordinal).ToList();
        var request = new PageRequest(page, pageSize);
        return new Paged<ChannelResponse>(
            filtered.Skip((request.Number - 1) * request.Size).Take(request.Size).Select(c => ChannelResponse.From(c, defaultId)).ToList(),
            request.Number, request.Size, filtered.Count);
    }

    private static async Task<Results<Ok<ChannelResponse>, ProblemHttpResult>> Get(Guid id, PortierDbContext db, CancellationToken ct) =>
        await db.Set<Channel>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) is { } channel
            ? TypedResults.Ok(ChannelResponse.From(channel, await DefaultChannelAsync(db, ct)))
            : Problems.NotFound("Channel");

    /// <summary>An external handler that supports inbound validation gets a signing secret for its gates, shown in this answer only.</summary>
    private static async Task<Results<Created<ChannelResponse>, ValidationProblem, ProblemHttpResult>> Create(
        ChannelRequest request, PortierDbContext db, OutboundAddressGuard guard, ChannelInboundSigning signing, CancellationToken ct)
    {
        var handler = ChannelHandlers.Find(request.Handler)!;
        if (request.Configuration?.Values.Contains(Masked) == true)
            return Problems.BadRequest("secret_required", "Give the real value of each secret field when creating a channel.", "configuration");
        if (await RefuseAddressAsync(handler, request, guard, ct) is { } refused) return refused;
        var channel = new Channel { Code = request.Code, Name = request.Name.Trim(), Handler = handler.Name };
        Apply(request, channel);
        channel.InboundKeyId = handler.IsExternal && handler.Capabilities.InboundValidation ? ChannelInboundSigning.NewKeyId() : null;
        var secret = channel.InboundKeyId is { } keyId ? signing.Secret(channel.Id, keyId) : null;
        if (await db.Set<Channel>().AnyAsync(c => c.Code == request.Code, ct)) return CodeTaken();
        db.Add(channel);
        if (!await db.TrySaveUniqueAsync(ct)) return CodeTaken();
        return TypedResults.Created($"/api/v1/channels/{channel.Id}", ChannelResponse.From(channel, await DefaultChannelAsync(db, ct), secret));
    }

    private static async Task<Results<Ok<ChannelResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, ChannelRequest request, PortierDbContext db, OutboundAddressGuard guard, CancellationToken ct)
    {
        var channel = await db.Set<Channel>().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (channel is null) return Problems.NotFound("Channel");
        if (request.Handler != channel.Handler)
            return Problems.Conflict("handler_immutable", "A channel's handler is fixed; create another channel instead.", "handler");
        if (await RefuseAddressAsync(ChannelHandlers.Find(channel.Handler)!, request, guard, ct) is { } refused) return refused;
        if (request.Code != channel.Code && await db.Set<Channel>().AnyAsync(c => c.Code == request.Code, ct)) return CodeTaken();
        var previous = channel.Configuration;
        channel.Code = request.Code;
        channel.Name = request.Name.Trim();
        Apply(request, channel);
        // A secret sent back masked keeps its stored value.
        foreach (var (key, value) in channel.Configuration.Where(kv => kv.Value == Masked).ToList())
        {
            if (previous.TryGetValue(key, out var kept)) channel.Configuration[key] = kept;
            else return Problems.BadRequest("secret_required", $"Give the value of {key}.", $"configuration.{key}");
        }
        if (!await db.TrySaveUniqueAsync(ct)) return CodeTaken();
        return TypedResults.Ok(ChannelResponse.From(channel, await DefaultChannelAsync(db, ct)));
    }

    /// <summary>Every URL field of the handler goes through the outbound address guard before anything is saved.</summary>
    private static async Task<ValidationProblem?> RefuseAddressAsync(ChannelHandler handler, ChannelRequest request, OutboundAddressGuard guard, CancellationToken ct)
    {
        foreach (var field in handler.Fields.Where(f => f.Type == "url"))
        {
            var url = request.Configuration?.GetValueOrDefault(field.Name)?.Trim();
            if (await guard.RefuseAsync(url, $"configuration.{field.Name}", ct) is { } refused) return refused;
        }
        return null;
    }

    private static void Apply(ChannelRequest request, Channel channel)
    {
        channel.Configuration = (request.Configuration ?? new Dictionary<string, string>())
            .Where(kv => !string.IsNullOrWhiteSpace(kv.Value)).ToDictionary(kv => kv.Key, kv => kv.Value.Trim());
        channel.DisplayOrder = request.DisplayOrder;
        channel.Active = request.Active;
    }

    private static ProblemHttpResult CodeTaken() => Problems.Conflict("channel_code_taken", "Another channel has this code.", "code");

    private static async Task<Results<Ok<ChannelResponse>, ProblemHttpResult>> RotateInboundSecret(
        Guid id, PortierDbContext db, ChannelInboundSigning signing, CancellationToken ct)
    {
        var channel = await db.Set<Channel>().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (channel is null) return Problems.NotFound("Channel");
        var handler = ChannelHandlers.Find(channel.Handler)!;
        if (!handler.IsExternal || !handler.Capabilities.InboundValidation)
            return Problems.Conflict("inbound_not_supported", "This channel's gates are Portier's own; they validate with an access:validate token.");
        channel.InboundKeyId = ChannelInboundSigning.NewKeyId();
        var secret = signing.Secret(channel.Id, channel.InboundKeyId);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ChannelResponse.From(channel, await DefaultChannelAsync(db, ct), secret));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, PortierDbContext db, CancellationToken ct)
    {
        var channel = await db.Set<Channel>().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (channel is null) return Problems.NotFound("Channel");
        if (await db.Set<Invite>().AnyAsync(i => i.ChannelId == id, ct))
            return Problems.Conflict("channel_in_use", "Invites were delivered through this channel; set it inactive instead.");
        var settings = await db.Set<AccessSettings>().FirstOrDefaultAsync(s => s.Id == AccessSettings.SingletonId, ct);
        if (settings?.DefaultChannelId == id) settings.DefaultChannelId = null;
        db.Remove(channel);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ChannelResponse>, ValidationProblem, ProblemHttpResult>> LinkSites(
        Guid id, ChannelSitesRequest request, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var channel = await db.Set<Channel>().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (channel is null) return Problems.NotFound("Channel");
        var wanted = request.SiteIds.ToList();
        var found = await db.Set<Site>().CountAsync(s => wanted.Contains(s.Id), ct);
        if (found != wanted.Count || !wanted.All(user.CanSee)) return Problems.Invalid("unknown_site", "siteIds", "Every entry must be a site.");
        channel.SiteIds = wanted;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ChannelResponse.From(channel, await DefaultChannelAsync(db, ct)));
    }

    private static async Task<AccessSettingsResponse> GetSettings(PortierDbContext db, CancellationToken ct) =>
        AccessSettingsResponse.From(await SettingsAsync(db, ct));

    private static async Task<Results<Ok<AccessSettingsResponse>, ValidationProblem>> PutSettings(
        AccessSettingsRequest request, PortierDbContext db, CancellationToken ct)
    {
        if (request.DefaultChannelId is { } channelId && !await db.Set<Channel>().AnyAsync(c => c.Id == channelId, ct))
            return Problems.Invalid("unknown_channel", "defaultChannelId", "Must be a channel.");
        var settings = await db.Set<AccessSettings>().FirstOrDefaultAsync(s => s.Id == AccessSettings.SingletonId, ct);
        if (settings is null) db.Add(settings = new AccessSettings());
        settings.DefaultChannelId = request.DefaultChannelId;
        settings.ModuleEnabled = request.ModuleEnabled;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(AccessSettingsResponse.From(settings));
    }

    /// <summary>The public keys gates verify QR passes with, newest first; retired keys are listed so gates drop them.</summary>
    private static async Task<Results<Ok<List<QrKeyResponse>>, ProblemHttpResult>> ListKeys(
        Guid siteId, PortierDbContext db, CurrentUser user, QrPassSigner signer, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(siteId, user, ct)) return Problems.NotFound("Site");
        await signer.CurrentKeyAsync(db, siteId, clock.GetCurrentInstant(), ct);
        var keys = await db.Set<QrSigningKey>().AsNoTracking().Where(k => k.SiteId == siteId)
            .OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id).ToListAsync(ct);
        return TypedResults.Ok(keys.Select(QrKeyResponse.From).ToList());
    }

    public sealed record RotateKeyRequest(Guid SiteId);

    private static async Task<Results<Ok<QrKeyResponse>, ProblemHttpResult>> RotateKey(
        RotateKeyRequest request, PortierDbContext db, CurrentUser user, QrPassSigner signer, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(request.SiteId, user, ct)) return Problems.NotFound("Site");
        return TypedResults.Ok(QrKeyResponse.From(await signer.RotateAsync(db, request.SiteId, clock.GetCurrentInstant(), ct)));
    }

    /// <summary>A retired key verifies nothing more: passes it signed are refused, and new passes use a newer key.</summary>
    private static async Task<Results<Ok<QrKeyResponse>, ProblemHttpResult>> RetireKey(
        string keyId, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var key = await db.Set<QrSigningKey>().VisibleTo(user).FirstOrDefaultAsync(k => k.KeyId == keyId, ct);
        if (key is null) return Problems.NotFound("Key");
        key.RetiredAt ??= clock.GetCurrentInstant();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(QrKeyResponse.From(key));
    }

    private static async Task<Results<Ok<List<string>>, ProblemHttpResult>> GetMemberPermissions(
        Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (!await db.Set<Person>().VisibleTo(user).AnyAsync(p => p.Id == id, ct)) return Problems.NotFound("Person");
        return TypedResults.Ok(await db.Set<MemberGrant>().Where(p => p.PersonId == id).OrderBy(p => p.Permission).Select(p => p.Permission).ToListAsync(ct));
    }

    private static async Task<Results<Ok<List<string>>, ProblemHttpResult>> PutMemberPermissions(
        Guid id, MemberPermissionsRequest request, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var person = await db.Set<Person>().VisibleTo(user).FirstOrDefaultAsync(p => p.Id == id, ct);
        if (person is null) return Problems.NotFound("Person");
        var existing = await db.Set<MemberGrant>().Where(p => p.PersonId == id).ToListAsync(ct);
        db.RemoveRange(existing.Where(p => !request.Permissions.Contains(p.Permission)));
        db.AddRange(request.Permissions.Where(p => existing.All(e => e.Permission != p))
            .Select(p => new MemberGrant { PersonId = id, SiteId = person.SiteId, Permission = p }));
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(request.Permissions.Order(StringComparer.Ordinal).ToList());
    }
}
