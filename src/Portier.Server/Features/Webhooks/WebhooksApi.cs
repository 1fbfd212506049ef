using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Alarms;
using Portier.Server.Features.Auth;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Outbound;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Webhooks;

public sealed record WebhookRequest(string Url, IReadOnlyList<string> EventTypes, Guid? SiteId = null, string? Description = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.NotBlank(Url, "url", 2000);
        if (!string.IsNullOrWhiteSpace(Url))
            errors.Require(Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https", "url", "Must be an absolute http or https URL.");
        if (EventTypes is null || EventTypes.Count == 0) errors.Add("eventTypes", "Name at least one event type.");
        else
        {
            errors.Distinct(EventTypes, "eventTypes", 50);
            foreach (var type in EventTypes.Where(t => t is not null && !WebhookEventTypes.IsValidPattern(t)))
                errors.Add("eventTypes", $"'{type}' is not an event type; see GET /api/v1/webhooks/event-types.");
        }
        errors.Require(Description is null || Description.Length <= 500, "description", "Must be at most 500 characters.");
    }
}

public sealed record WebhookResponse(
    Guid Id, Guid? SiteId, string Url, string? Description, IReadOnlyList<string> EventTypes, bool Enabled,
    string? DisabledReason, DateTimeOffset? DisabledAt, int ConsecutiveFailures, DateTimeOffset CreatedAt, DateTimeOffset? FailingSince = null)
{
    public static WebhookResponse From(WebhookEndpoint e) => new(e.Id, e.SiteId, e.Url, e.Description, e.EventTypes, e.Enabled,
        e.DisabledReason, e.DisabledAt?.ToDateTimeOffset(), e.ConsecutiveFailures, e.CreatedAt.ToDateTimeOffset(), e.FailingSince?.ToDateTimeOffset());
}

/// <summary>The create answer: the only time the signing secret is shown.</summary>
public sealed record WebhookCreatedResponse(WebhookResponse Endpoint, string Secret);

public sealed record DeliveryResponse(
    long Id, string MessageId, string EventType, DeliveryStatus Status, int Attempts, DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt, DateTimeOffset? LastAttemptAt, int? LastStatusCode, string? LastError, long? ReplayOf);

public sealed record AttemptResponse(DateTimeOffset At, int? StatusCode, int DurationMs, string? Error);

public static class WebhooksApi
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<WebhookWakeup>();
        services.AddSingleton<EnabledWebhookEndpoints>();
        services.AddSingleton<IDefinitionCache>(sp => sp.GetRequiredService<EnabledWebhookEndpoints>());
        services.AddSingleton<WebhookOutbox>();
        services.AddSingleton<IAccessEventSink, AccessEventWebhookSink>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<WebhookBacklog>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        return services;
    }

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(WebhooksRoutes.Group, "Webhooks");
        group.MapGet(WebhooksRoutes.EventTypes, () => TypedResults.Ok(WebhookEventTypes.All)).RequirePermission(Permissions.WebhooksRead);
        group.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.WebhooksRead);
        group.MapGet(ApiRoutes.Item, Get).RequirePermission(Permissions.WebhooksRead);
        group.MapPost(ApiRoutes.Root, Create).RequirePermission(Permissions.WebhooksWrite);
        group.MapPut(ApiRoutes.Item, Update).RequirePermission(Permissions.WebhooksWrite);
        group.MapDelete(ApiRoutes.Item, Delete).RequirePermission(Permissions.WebhooksWrite);
        group.MapPost(WebhooksRoutes.Enable, Enable).RequirePermission(Permissions.WebhooksWrite);
        group.MapPost(WebhooksRoutes.Disable, Disable).RequirePermission(Permissions.WebhooksWrite);
        group.MapPost(WebhooksRoutes.Test, SendTest).RequirePermission(Permissions.WebhooksWrite);
        group.MapGet(WebhooksRoutes.Deliveries, Deliveries).RequirePermission(Permissions.WebhooksRead);
        group.MapGet(WebhooksRoutes.Attempts, Attempts).RequirePermission(Permissions.WebhooksRead);
        group.MapPost(WebhooksRoutes.Replay, Replay).RequirePermission(Permissions.WebhooksWrite);
        return app;
    }

    private static IQueryable<WebhookEndpoint> Visible(PortierDbContext db, CurrentUser user) =>
        user.VisibleSites is { } sites
            ? db.Set<WebhookEndpoint>().Where(e => e.SiteId != null && sites.Contains(e.SiteId.Value))
            : db.Set<WebhookEndpoint>();

    private static Task<WebhookEndpoint?> FindAsync(PortierDbContext db, CurrentUser user, Guid id, CancellationToken ct) =>
        Visible(db, user).FirstOrDefaultAsync(e => e.Id == id, ct);

    private static async Task<Paged<WebhookResponse>> List(PortierDbContext db, CurrentUser user, Guid? siteId, int? page, int? pageSize, CancellationToken ct)
    {
        var query = Visible(db, user).AsNoTracking();
        if (siteId is not null) query = query.Where(e => e.SiteId == siteId);
        return await new PageRequest(page, pageSize).ApplyAsync(query.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id), WebhookResponse.From, ct);
    }

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> Get(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        await FindAsync(db, user, id, ct) is { } found ? TypedResults.Ok(WebhookResponse.From(found)) : Problems.NotFound("Webhook");

    /// <summary>Refuses a site the caller cannot see, an all-sites endpoint from a site-limited caller, and guarded addresses.</summary>
    private static async Task<IResult?> CheckAsync(
        WebhookRequest request, PortierDbContext db, CurrentUser user, OutboundAddressGuard guard, CancellationToken ct)
    {
        if (request.SiteId is { } site ? !await db.CanUseSiteAsync(site, user, ct) : user.VisibleSites is not null) return Problems.NotFound("Site");
        if (await guard.RefuseAsync(request.Url, "url", ct) is { } refused) return refused;
        return null;
    }

    private static Results<TOk, ValidationProblem, ProblemHttpResult> Refuse<TOk>(IResult problem) where TOk : IResult => problem switch
    {
        ValidationProblem v => v,
        ProblemHttpResult p => p,
        _ => throw new System.Diagnostics.UnreachableException(),
    };

    private static async Task<Results<Created<WebhookCreatedResponse>, ValidationProblem, ProblemHttpResult>> Create(
        WebhookRequest request, PortierDbContext db, CurrentUser user, OutboundAddressGuard guard, TimeProvider clock, CancellationToken ct)
    {
        if (await CheckAsync(request, db, user, guard, ct) is { } problem) return Refuse<Created<WebhookCreatedResponse>>(problem);
        var endpoint = new WebhookEndpoint
        {
            SiteId = request.SiteId, Url = request.Url, Description = request.Description, EventTypes = [.. request.EventTypes],
            Secret = StandardWebhooks.NewSecret(), CreatedAt = clock.GetCurrentInstant(),
        };
        db.Add(endpoint);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/webhooks/{endpoint.Id}", new WebhookCreatedResponse(WebhookResponse.From(endpoint), endpoint.Secret));
    }

    private static async Task<Results<Ok<WebhookResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, WebhookRequest request, PortierDbContext db, CurrentUser user, OutboundAddressGuard guard, CancellationToken ct)
    {
        var endpoint = await FindAsync(db, user, id, ct);
        if (endpoint is null) return Problems.NotFound("Webhook");
        if (request.SiteId != endpoint.SiteId) return Problems.SiteImmutable("webhook");
        if (await CheckAsync(request, db, user, guard, ct) is { } problem) return Refuse<Ok<WebhookResponse>>(problem);
        endpoint.Url = request.Url;
        endpoint.Description = request.Description;
        endpoint.EventTypes = [.. request.EventTypes];
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(WebhookResponse.From(endpoint));
    }

    /// <summary>Deletes the endpoint with its deliveries; an alarm about it being disabled is cleared.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, PortierDbContext db, CurrentUser user, SystemAlarms alarms, TimeProvider clock, CancellationToken ct)
    {
        var endpoint = await FindAsync(db, user, id, ct);
        if (endpoint is null) return Problems.NotFound("Webhook");
        db.Remove(endpoint);
        var cleared = await alarms.ClearAsync(db, AlarmKind.WebhookEndpointDisabled, id, clock.GetCurrentInstant(), ct);
        await db.SaveChangesAsync(ct);
        await alarms.PublishAsync(cleared, ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Pauses an endpoint by hand (reason "manual"), like the server does for a failing one: it receives
    /// no new events and its pending deliveries are held until it is enabled again.
    /// </summary>
    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> Disable(
        Guid id, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var endpoint = await FindAsync(db, user, id, ct);
        if (endpoint is null) return Problems.NotFound("Webhook");
        if (!endpoint.Enabled) return Problems.Conflict("webhook_disabled", "The endpoint is already disabled.");
        endpoint.Disable(ManualDisable, clock.GetCurrentInstant());
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(WebhookResponse.From(endpoint));
    }

    public const string ManualDisable = "manual";

    /// <summary>
    /// Re-enables a disabled endpoint (by an admin or by the server); its held deliveries become due at once
    /// and the alarm raised when the server disabled it is cleared.
    /// </summary>
    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> Enable(
        Guid id, PortierDbContext db, CurrentUser user, TimeProvider clock, WebhookWakeup wakeup, SystemAlarms alarms, CancellationToken ct)
    {
        var endpoint = await FindAsync(db, user, id, ct);
        if (endpoint is null) return Problems.NotFound("Webhook");
        var now = clock.GetCurrentInstant();
        endpoint.Enable();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var cleared = await alarms.ClearAsync(db, AlarmKind.WebhookEndpointDisabled, id, now, ct);
        await db.SaveChangesAsync(ct);
        await db.Set<WebhookDelivery>().Where(d => d.EndpointId == id && d.Status == DeliveryStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, now), ct);
        await transaction.CommitAsync(ct);
        wakeup.Wake();
        await alarms.PublishAsync(cleared, ct);
        return TypedResults.Ok(WebhookResponse.From(endpoint));
    }

    private static async Task<Results<Accepted<DeliveryResponse>, ProblemHttpResult>> SendTest(
        Guid id, PortierDbContext db, CurrentUser user, TimeProvider clock, WebhookWakeup wakeup, CancellationToken ct)
    {
        var endpoint = await FindAsync(db, user, id, ct);
        if (endpoint is null) return Problems.NotFound("Webhook");
        var message = WebhookOutbox.NewMessage(new WebhookEvent(WebhookEventTypes.Test, endpoint.SiteId, clock.GetCurrentInstant(),
            new { endpointId = endpoint.Id, text = "A test event from Portier." }));
        return await QueueAsync(db, endpoint.Id, message, null, clock, wakeup, ct);
    }

    /// <summary>Sends a finished delivery's message again as a new delivery (same webhook-id, so receivers can still deduplicate).</summary>
    private static async Task<Results<Accepted<DeliveryResponse>, ProblemHttpResult>> Replay(
        Guid id, long deliveryId, PortierDbContext db, CurrentUser user, TimeProvider clock, WebhookWakeup wakeup, CancellationToken ct)
    {
        if (await FindAsync(db, user, id, ct) is null) return Problems.NotFound("Webhook");
        var original = await db.Set<WebhookDelivery>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == deliveryId && d.EndpointId == id, ct);
        if (original is null) return Problems.NotFound("Delivery");
        if (original.Status == DeliveryStatus.Pending) return Problems.Conflict("delivery_pending", "The delivery is still being retried.");
        return await QueueAsync(db, id, null, original, clock, wakeup, ct);
    }

    private static async Task<Accepted<DeliveryResponse>> QueueAsync(
        PortierDbContext db, Guid endpointId, WebhookMessage? message, WebhookDelivery? replayOf, TimeProvider clock, WebhookWakeup wakeup, CancellationToken ct)
    {
        if (message is not null) db.Add(message);
        var delivery = WebhookDelivery.Pending(endpointId, message?.Id ?? replayOf!.MessageId, clock.GetCurrentInstant(), replayOf?.Id);
        db.Add(delivery);
        await db.SaveChangesAsync(ct);
        wakeup.Wake();
        var type = message?.Type ?? await db.Set<WebhookMessage>().Where(m => m.Id == delivery.MessageId).Select(m => m.Type).FirstAsync(ct);
        return TypedResults.Accepted($"/api/v1/webhooks/{endpointId}/deliveries", ToResponse(delivery, type));
    }

    private static DeliveryResponse ToResponse(WebhookDelivery d, string type) => new(
        d.Id, d.MessageId, type, d.Status, d.Attempts, d.CreatedAt.ToDateTimeOffset(),
        d.Status == DeliveryStatus.Pending ? d.NextAttemptAt.ToDateTimeOffset() : null,
        d.LastAttemptAt?.ToDateTimeOffset(), d.LastStatusCode, d.LastError, d.ReplayOf);

    /// <summary>The delivery log, newest first, optionally one status.</summary>
    private static async Task<Results<Ok<Paged<DeliveryResponse>>, ProblemHttpResult>> Deliveries(
        Guid id, SnakeCase<DeliveryStatus>? status, PortierDbContext db, CurrentUser user, int? page, int? pageSize, CancellationToken ct)
    {
        if (await FindAsync(db, user, id, ct) is null) return Problems.NotFound("Webhook");
        var query = db.Set<WebhookDelivery>().AsNoTracking().Where(d => d.EndpointId == id);
        if (status is { } s) query = query.Where(d => d.Status == s.Value);
        var rows = query.OrderByDescending(d => d.Id)
            .Join(db.Set<WebhookMessage>(), d => d.MessageId, m => m.Id, (d, m) => new { Delivery = d, m.Type });
        return TypedResults.Ok(await new PageRequest(page, pageSize).ApplyAsync(rows, r => ToResponse(r.Delivery, r.Type), ct));
    }

    private static async Task<Results<Ok<List<AttemptResponse>>, ProblemHttpResult>> Attempts(
        Guid id, long deliveryId, PortierDbContext db, CurrentUser user, CancellationToken ct)
    {
        if (await FindAsync(db, user, id, ct) is null) return Problems.NotFound("Webhook");
        var attempts = await db.Set<WebhookAttempt>().AsNoTracking().Where(a => a.DeliveryId == deliveryId && a.EndpointId == id)
            .OrderBy(a => a.Id).ToListAsync(ct);
        return TypedResults.Ok(attempts.Select(a => new AttemptResponse(a.At.ToDateTimeOffset(), a.StatusCode, a.DurationMs, a.Error)).ToList());
    }
}
