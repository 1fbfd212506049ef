using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Features.Auth;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.AccessLog;

public sealed record AccessEventResponse(
    Guid Id, Guid SiteId, Guid DoorId, Guid? ZoneId, Guid? PersonId, Guid? CredentialId, string? CredentialKind,
    string? PresentedValue, Guid? DeviceId, Guid? AdminId, AccessMethod Method, DateTimeOffset At, bool Allowed,
    string Reason, string Path, ActuationOutcome Outcome, DateTimeOffset? OutcomeAt);

public static class AccessLogExtensions
{
    public static IServiceCollection AddAccessLog(this IServiceCollection services)
    {
        services.AddSingleton<AccessEventWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<AccessEventWriter>());
        return services;
    }
}

public static class AccessLogApi
{
    public static IEndpointRouteBuilder MapAccessLogApi(this IEndpointRouteBuilder app)
    {
        app.MapApiGroup("access-events", "Access log").MapGet("/", List).RequirePermission(Permissions.AccessLogRead);
        return app;
    }

    /// <summary>Attempts, newest first, each with the door's confirmation when one was recorded.</summary>
    private static async Task<Paged<AccessEventResponse>> List(
        PortierDbContext db, CurrentUser user, Guid? siteId, Guid? doorId, Guid? zoneId, Guid? personId, Guid? credentialId,
        bool? allowed, string? reason, DateTimeOffset? from, DateTimeOffset? to, int? page, int? pageSize, CancellationToken ct)
    {
        var attempts = db.Set<AccessEvent>().AsNoTracking().Where(e => e.OutcomeOf == null);
        if (user.VisibleSites is { } visible) attempts = attempts.Where(e => visible.Contains(e.SiteId));
        if (siteId is not null) attempts = attempts.Where(e => e.SiteId == siteId);
        if (doorId is not null) attempts = attempts.Where(e => e.DoorId == doorId);
        if (zoneId is not null) attempts = attempts.Where(e => e.ZoneId == zoneId);
        if (personId is not null) attempts = attempts.Where(e => e.PersonId == personId);
        if (credentialId is not null) attempts = attempts.Where(e => e.CredentialId == credentialId);
        if (allowed is not null) attempts = attempts.Where(e => e.Allowed == allowed);
        if (reason is not null) attempts = attempts.Where(e => e.Reason == reason);
        if (from is not null) attempts = attempts.Where(e => e.At >= Instant.FromDateTimeOffset(from.Value));
        if (to is not null) attempts = attempts.Where(e => e.At < Instant.FromDateTimeOffset(to.Value));

        var request = new PageRequest(page, pageSize);
        var total = await attempts.CountAsync(ct);
        var rows = await attempts.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip((request.Number - 1) * request.Size).Take(request.Size).ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var outcomes = await db.Set<AccessEvent>().AsNoTracking().Where(e => e.OutcomeOf != null && ids.Contains(e.OutcomeOf.Value)).ToListAsync(ct);
        var outcomeOf = outcomes.ToDictionary(o => o.OutcomeOf!.Value);
        var items = rows.Select(r =>
        {
            var outcome = outcomeOf.GetValueOrDefault(r.Id);
            return new AccessEventResponse(r.Id, r.SiteId, r.DoorId, r.ZoneId, r.PersonId, r.CredentialId,
                r.CredentialKind is { } kind ? System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString()) : null,
                r.PresentedValue, r.DeviceId, r.AdminId, r.Method, r.At.ToDateTimeOffset(), r.Allowed, r.Reason, r.Path,
                outcome?.Outcome ?? r.Outcome, outcome?.At.ToDateTimeOffset());
        }).ToList();
        return new Paged<AccessEventResponse>(items, request.Number, request.Size, total);
    }
}
