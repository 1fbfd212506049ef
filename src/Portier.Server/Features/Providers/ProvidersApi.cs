using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Events;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Outbound;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Providers;

/// <summary>
/// A provider's settings. On a change, an omitted <c>apiKey</c> keeps the stored one (it is never
/// shown, so a form cannot send it back); <c>removeApiKey</c> removes it.
/// </summary>
public sealed record ProviderRequest(Guid SiteId, string Name, ProviderKind Kind, string? Url = null, string? ApiKey = null, bool RemoveApiKey = false) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(SiteId != Guid.Empty, "siteId", "Is required.");
        errors.NotBlank(Name, "name");
        if (Kind == ProviderKind.Webhook)
            errors.Require(Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https", "url", "A webhook provider needs an absolute http(s) URL.");
        else
            errors.Require(Url is null && ApiKey is null, "url", "The built-in provider takes no URL or credentials.");
        if (ApiKey is not null) errors.NotBlank(ApiKey, "apiKey", 500);
        errors.Require(!(RemoveApiKey && ApiKey is not null), "removeApiKey", "Either a new apiKey or removeApiKey, not both.");
    }
}

public sealed record ProviderCapabilities(bool Grant, bool Revoke, bool TemporaryAuthorization, bool ZoneSync, bool SignedCalls, bool SchedulesAhead);

public sealed record ProviderResponse(
    Guid Id, Guid SiteId, string Name, ProviderKind Kind, string? Url, bool HasApiKey, ProviderHealth Health, string? HealthDetail,
    DateTimeOffset? HealthCheckedAt, DateTimeOffset? ZonesSyncedAt, ProviderCapabilities Capabilities, string? SigningSecret)
{
    public static ProviderCapabilities CapabilitiesOf(ProviderKind kind) =>
        new(Grant: true, Revoke: true, TemporaryAuthorization: true, ZoneSync: true, SignedCalls: kind == ProviderKind.Webhook, SchedulesAhead: false);

    /// <summary>The signing secret is shown only when it is created or rotated.</summary>
    public static ProviderResponse From(AccessProvider p, bool showSecret = false) => new(p.Id, p.SiteId, p.Name, p.Kind, p.Url,
        !string.IsNullOrEmpty(p.ApiKey), p.Health, p.HealthDetail, p.HealthCheckedAt?.ToDateTimeOffset(), p.ZonesSyncedAt?.ToDateTimeOffset(),
        CapabilitiesOf(p.Kind), showSecret ? p.SigningSecret : null);
}

public sealed record ProviderZoneResponse(Guid Id, string ExternalId, string Name, bool Active, DateTimeOffset LastSeenAt);

public sealed record ZoneSyncResponse(int Added, int Reactivated, int Deactivated, IReadOnlyList<ProviderZoneResponse> Zones);

public sealed record TestConnectionResponse(bool Ok, ProviderHealth Health, string Detail);

public static class ProvidersApi
{
    public static IEndpointRouteBuilder MapProvidersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(ProvidersRoutes.Group, "Providers");
        group.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.ProvidersRead);
        group.MapGet(ApiRoutes.Item, Get).RequirePermission(Permissions.ProvidersRead);
        group.MapPost(ApiRoutes.Root, Create).RequirePermission(Permissions.ProvidersWrite);
        group.MapPut(ApiRoutes.Item, Update).RequirePermission(Permissions.ProvidersWrite);
        group.MapDelete(ApiRoutes.Item, Delete).RequirePermission(Permissions.ProvidersWrite);
        group.MapPost(ProvidersRoutes.RotateSecret, RotateSecret).RequirePermission(Permissions.ProvidersWrite);
        group.MapPost(ProvidersRoutes.Test, TestConnection).RequirePermission(Permissions.ProvidersWrite);
        group.MapGet(ProvidersRoutes.Zones, Zones).RequirePermission(Permissions.ProvidersRead);
        group.MapPost(ProvidersRoutes.SyncZones, Sync).RequirePermission(Permissions.ProvidersWrite);
        return app;
    }

    private static async Task<Paged<ProviderResponse>> List(PortierDbContext db, CurrentUser user, Guid? siteId, int? page, int? pageSize, CancellationToken ct) =>
        await new PageRequest(page, pageSize).ApplyAsync(db.Set<AccessProvider>().AsNoTracking().InSiteByName(siteId, null, p => p.Name),
            p => ProviderResponse.From(p), ct);

    private static Task<Results<Ok<ProviderResponse>, ProblemHttpResult>> Get(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        db.GetVisibleAsync<AccessProvider, ProviderResponse>(id, user, p => ProviderResponse.From(p), "Provider", ct);

    private static async Task<Results<Created<ProviderResponse>, ValidationProblem, ProblemHttpResult>> Create(
        ProviderRequest request, PortierDbContext db, CurrentUser user, OutboundAddressGuard guard, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(request.SiteId, user, ct)) return Problems.NotFound("Site");
        if (await guard.RefuseAsync(request.Url, "url", ct) is { } refused) return refused;
        if (request.Kind == ProviderKind.BuiltIn &&
            await db.Set<AccessProvider>().AnyAsync(p => p.SiteId == request.SiteId && p.Kind == ProviderKind.BuiltIn, ct))
            return Problems.Conflict("built_in_provider_exists", "This site already has the built-in provider.");
        var provider = new AccessProvider
        {
            SiteId = request.SiteId, Name = request.Name.Trim(), Kind = request.Kind, Url = request.Url, ApiKey = request.ApiKey,
            SigningSecret = request.Kind == ProviderKind.Webhook ? StandardWebhooks.NewSecret() : null,
        };
        if (provider.Kind == ProviderKind.BuiltIn) provider.RecordHealth(ProviderHealth.Healthy, "Portier's own doors.", clock.GetCurrentInstant());
        db.Add(provider);
        await db.SaveChangesAsync(ct);
        if (provider.Kind == ProviderKind.BuiltIn) await SyncZonesAsync(db, provider, null, clock, null, ct);
        return TypedResults.Created($"/api/v1/providers/{provider.Id}", ProviderResponse.From(provider, showSecret: true));
    }

    private static async Task<Results<Ok<ProviderResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, ProviderRequest request, PortierDbContext db, CurrentUser user, OutboundAddressGuard guard, CancellationToken ct)
    {
        var provider = await db.FindVisibleAsync<AccessProvider>(id, user, ct);
        if (provider is null) return Problems.NotFound("Provider");
        if (request.SiteId != provider.SiteId) return Problems.SiteImmutable("provider");
        if (request.Kind != provider.Kind) return Problems.Invalid("kind_immutable", "kind", "A provider's kind cannot change.");
        if (await guard.RefuseAsync(request.Url, "url", ct) is { } refused) return refused;
        provider.Name = request.Name.Trim();
        provider.Url = request.Url;
        if (request.RemoveApiKey) provider.ApiKey = null;
        else if (request.ApiKey is not null) provider.ApiKey = request.ApiKey;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ProviderResponse.From(provider));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var provider = await db.FindVisibleAsync<AccessProvider>(id, user, ct);
        if (provider is null) return Problems.NotFound("Provider");
        var zoneIds = db.Set<ProviderZone>().Where(z => z.ProviderId == id).Select(z => z.Id);
        if (await db.Set<EventAccessPolicy>().AnyAsync(p => zoneIds.Contains(p.ProviderZoneId), ct))
            return Problems.Conflict("provider_in_use", "Event access policies use this provider's zones; delete them first.");
        db.Remove(provider);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ProviderResponse>, ProblemHttpResult>> RotateSecret(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        var provider = await db.FindVisibleAsync<AccessProvider>(id, user, ct);
        if (provider is null) return Problems.NotFound("Provider");
        if (provider.Kind != ProviderKind.Webhook) return Problems.Conflict("not_a_webhook_provider", "Only webhook providers sign their calls.");
        provider.SigningSecret = StandardWebhooks.NewSecret();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ProviderResponse.From(provider, showSecret: true));
    }

    /// <summary>Test Connection: a signed <c>ping</c> to a webhook provider (a 2xx answer is healthy); the built-in provider is always reachable.</summary>
    private static async Task<Results<Ok<TestConnectionResponse>, ProblemHttpResult>> TestConnection(
        Guid id, PortierDbContext db, CurrentUser user, TimeProvider clock, WebhookProviderClient client, CancellationToken ct)
    {
        var provider = await db.FindVisibleAsync<AccessProvider>(id, user, ct);
        if (provider is null) return Problems.NotFound("Provider");
        var now = clock.GetCurrentInstant();
        if (provider.Kind == ProviderKind.BuiltIn)
        {
            provider.RecordHealth(ProviderHealth.Healthy, "Portier's own doors.", now);
        }
        else
        {
            var result = await client.SendAsync(provider, $"ping_{Guid.NewGuid():N}", new { type = "ping" }, ct);
            provider.RecordHealth(result.Outcome.Succeeded ? ProviderHealth.Healthy : ProviderHealth.Unhealthy,
                result.Outcome.Succeeded ? "Test Connection succeeded." : result.Detail, now);
        }
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new TestConnectionResponse(provider.Health == ProviderHealth.Healthy, provider.Health, provider.HealthDetail ?? ""));
    }

    private static async Task<Results<Ok<List<ProviderZoneResponse>>, ProblemHttpResult>> Zones(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (!await db.Set<AccessProvider>().AnyAsync(p => p.Id == id, ct)) return Problems.NotFound("Provider");
        var zones = await db.Set<ProviderZone>().AsNoTracking().Where(z => z.ProviderId == id).OrderBy(z => z.Name).ToListAsync(ct);
        return TypedResults.Ok(zones.Select(ToResponse).ToList());
    }

    private static async Task<Results<Ok<ZoneSyncResponse>, ProblemHttpResult>> Sync(
        Guid id, PortierDbContext db, CurrentUser user, TimeProvider clock, WebhookProviderClient client, EventPlanning planning, CancellationToken ct)
    {
        var provider = await db.FindVisibleAsync<AccessProvider>(id, user, ct);
        if (provider is null) return Problems.NotFound("Provider");
        var result = await SyncZonesAsync(db, provider, client, clock, planning, ct);
        return result is null
            ? Problems.Make(StatusCodes.Status502BadGateway, "provider_unavailable", provider.HealthDetail ?? "The provider did not list its zones.")
            : TypedResults.Ok(result);
    }

    /// <summary>
    /// Reads the provider's zones: new ones are added, ones that came back are active again, and
    /// ones that disappeared are marked inactive (policies using them show "inactive"). Series whose
    /// policies changed activity are re-planned. A webhook provider answers a signed <c>zones.list</c>
    /// call with <c>{"zones":[{"id":"...","name":"..."}]}</c>.
    /// </summary>
    private static async Task<ZoneSyncResponse?> SyncZonesAsync(
        PortierDbContext db, AccessProvider provider, WebhookProviderClient? client, TimeProvider clock, EventPlanning? planning, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        IReadOnlyList<(string ExternalId, string Name)> listed;
        if (provider.Kind == ProviderKind.BuiltIn)
        {
            listed = await BuiltInProvider.ListZonesAsync(db, provider.SiteId, ct);
        }
        else
        {
            var result = await client!.SendAsync(provider, $"zones_{Guid.NewGuid():N}", new { type = "zones.list" }, ct);
            var zones = result.Outcome.Succeeded ? ParseZones(result.Body) : null;
            if (zones is null)
            {
                provider.RecordHealth(ProviderHealth.Unhealthy, result.Outcome.Succeeded ? "The provider's zone list could not be read." : result.Detail, now);
                await db.SaveChangesAsync(ct);
                return null;
            }
            listed = zones;
        }
        var existing = await db.Set<ProviderZone>().Where(z => z.ProviderId == provider.Id).ToListAsync(ct);
        var byExternal = existing.ToDictionary(z => z.ExternalId, StringComparer.Ordinal);
        int added = 0, reactivated = 0, deactivated = 0;
        var changed = new List<Guid>();
        foreach (var (externalId, name) in listed.DistinctBy(z => z.ExternalId))
        {
            if (byExternal.TryGetValue(externalId, out var zone))
            {
                zone.Name = name;
                zone.LastSeenAt = now;
                if (!zone.Active) { zone.Active = true; reactivated++; changed.Add(zone.Id); }
            }
            else
            {
                db.Add(new ProviderZone { ProviderId = provider.Id, ExternalId = externalId, Name = name, LastSeenAt = now });
                added++;
            }
        }
        var seen = listed.Select(z => z.ExternalId).ToHashSet(StringComparer.Ordinal);
        foreach (var zone in existing.Where(z => z.Active && !seen.Contains(z.ExternalId)))
        {
            zone.Active = false;
            deactivated++;
            changed.Add(zone.Id);
        }
        provider.ZonesSyncedAt = now;
        if (provider.Kind == ProviderKind.Webhook) provider.RecordHealth(ProviderHealth.Healthy, "Zone sync succeeded.", now);
        if (planning is not null && changed.Count > 0)
        {
            var series = await db.Set<EventAccessPolicy>().Where(p => changed.Contains(p.ProviderZoneId)).Select(p => p.SeriesId).Distinct().ToListAsync(ct);
            await planning.SaveAndReplanAsync(db, series, ct);
        }
        else
        {
            await db.SaveChangesAsync(ct);
        }
        var all = await db.Set<ProviderZone>().AsNoTracking().Where(z => z.ProviderId == provider.Id).OrderBy(z => z.Name).ToListAsync(ct);
        return new ZoneSyncResponse(added, reactivated, deactivated, all.Select(ToResponse).ToList());
    }

    private static List<(string, string)>? ParseZones(string? body)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body ?? "");
            if (!document.RootElement.TryGetProperty("zones", out var zones) || zones.ValueKind != System.Text.Json.JsonValueKind.Array) return null;
            var list = new List<(string, string)>();
            foreach (var zone in zones.EnumerateArray())
            {
                var id = zone.TryGetProperty("id", out var i) ? i.GetString() : null;
                var name = zone.TryGetProperty("name", out var n) ? n.GetString() : null;
                if (string.IsNullOrWhiteSpace(id) || id.Length > 200) return null;
                list.Add((id, string.IsNullOrWhiteSpace(name) ? id : name[..Math.Min(name.Length, 200)]));
            }
            return list;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static ProviderZoneResponse ToResponse(ProviderZone z) => new(z.Id, z.ExternalId, z.Name, z.Active, z.LastSeenAt.ToDateTimeOffset());
}
