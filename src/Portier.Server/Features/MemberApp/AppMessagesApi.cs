using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Auth;
using Portier.Server.Features.People;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.MemberApp;

/// <summary>
/// Operators' side of the member app's home cards: messages for the whole site or one person
/// (<c>/api/v1/app-messages</c>) and the rules that show a message automatically by person type,
/// membership status or tags (<c>/api/v1/app-message-rules</c>).
/// </summary>
public static class AppMessagesApi
{
    public static IEndpointRouteBuilder MapAppMessagesApi(this IEndpointRouteBuilder app)
    {
        var messages = app.MapApiGroup(MemberAppRoutes.Messages, "Member app messages");
        messages.MapGet(ApiRoutes.Root, ListMessages).RequirePermission(Permissions.AppMessagesRead);
        messages.MapGet(ApiRoutes.Item, GetMessage).RequirePermission(Permissions.AppMessagesRead);
        messages.MapPost(ApiRoutes.Root, CreateMessage).RequirePermission(Permissions.AppMessagesWrite);
        messages.MapPut(ApiRoutes.Item, UpdateMessage).RequirePermission(Permissions.AppMessagesWrite);
        messages.MapDelete(ApiRoutes.Item, Delete<AppMessage>).RequirePermission(Permissions.AppMessagesWrite);

        var rules = app.MapApiGroup(MemberAppRoutes.MessageRules, "Member app messages");
        rules.MapGet(ApiRoutes.Root, ListRules).RequirePermission(Permissions.AppMessagesRead);
        rules.MapGet(ApiRoutes.Item, GetRule).RequirePermission(Permissions.AppMessagesRead);
        rules.MapPost(ApiRoutes.Root, CreateRule).RequirePermission(Permissions.AppMessagesWrite);
        rules.MapPut(ApiRoutes.Item, UpdateRule).RequirePermission(Permissions.AppMessagesWrite);
        rules.MapDelete(ApiRoutes.Item, Delete<AppMessageRule>).RequirePermission(Permissions.AppMessagesWrite);
        return app;
    }

    private static async Task<Paged<AppMessageResponse>> ListMessages(
        PortierDbContext db, CurrentUser user, Guid? siteId, Guid? personId, int? page, int? pageSize, CancellationToken ct)
    {
        var query = db.Set<AppMessage>().AsNoTracking();
        if (siteId is not null) query = query.Where(m => m.SiteId == siteId);
        if (personId is not null) query = query.Where(m => m.PersonId == personId);
        return await new PageRequest(page, pageSize).ApplyAsync(query.OrderByDescending(m => m.CreatedAt).ThenBy(m => m.Id), AppMessageResponse.From, ct);
    }

    private static Task<Results<Ok<AppMessageResponse>, ProblemHttpResult>> GetMessage(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        db.GetVisibleAsync<AppMessage, AppMessageResponse>(id, user, AppMessageResponse.From, "Message", ct);

    private static async Task<Results<Created<AppMessageResponse>, ValidationProblem, ProblemHttpResult>> CreateMessage(
        AppMessageRequest request, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(request.SiteId, user, ct)) return Problems.NotFound("Site");
        if (await UnknownPersonAsync(db, request, ct) is { } invalid) return invalid;
        var now = clock.GetCurrentInstant();
        var message = new AppMessage { SiteId = request.SiteId, Title = request.Title, CreatedAt = now, UpdatedAt = now };
        request.ApplyTo(message);
        db.Add(message);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/app-messages/{message.Id}", AppMessageResponse.From(message));
    }

    private static async Task<Results<Ok<AppMessageResponse>, ValidationProblem, ProblemHttpResult>> UpdateMessage(
        Guid id, AppMessageRequest request, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var message = await db.FindVisibleAsync<AppMessage>(id, user, ct);
        if (message is null) return Problems.NotFound("Message");
        if (request.SiteId != message.SiteId) return Problems.SiteImmutable("message");
        if (await UnknownPersonAsync(db, request, ct) is { } invalid) return invalid;
        request.ApplyTo(message);
        message.UpdatedAt = clock.GetCurrentInstant();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(AppMessageResponse.From(message));
    }

    private static async Task<ValidationProblem?> UnknownPersonAsync(PortierDbContext db, AppMessageRequest request, CancellationToken ct) =>
        request.PersonId is { } personId && !await db.Set<Person>().AnyAsync(p => p.Id == personId && p.SiteId == request.SiteId, ct)
            ? Problems.Invalid("unknown_person", "personId", "Must be a person of the message's site.")
            : null;

    private static async Task<Paged<AppMessageRuleResponse>> ListRules(
        PortierDbContext db, CurrentUser user, Guid? siteId, string? sort, int? page, int? pageSize, CancellationToken ct) =>
        await new PageRequest(page, pageSize).ApplyAsync(
            db.Set<AppMessageRule>().AsNoTracking().InSiteByName(siteId, sort, r => r.Name), AppMessageRuleResponse.From, ct);

    private static Task<Results<Ok<AppMessageRuleResponse>, ProblemHttpResult>> GetRule(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        db.GetVisibleAsync<AppMessageRule, AppMessageRuleResponse>(id, user, AppMessageRuleResponse.From, "Message rule", ct);

    private static async Task<Results<Created<AppMessageRuleResponse>, ValidationProblem, ProblemHttpResult>> CreateRule(
        AppMessageRuleRequest request, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(request.SiteId, user, ct)) return Problems.NotFound("Site");
        if (!request.HasCriteria) return NoCriteria();
        var now = clock.GetCurrentInstant();
        var rule = new AppMessageRule { SiteId = request.SiteId, Name = request.Name, Title = request.Title, CreatedAt = now, UpdatedAt = now };
        request.ApplyTo(rule);
        db.Add(rule);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/app-message-rules/{rule.Id}", AppMessageRuleResponse.From(rule));
    }

    private static async Task<Results<Ok<AppMessageRuleResponse>, ValidationProblem, ProblemHttpResult>> UpdateRule(
        Guid id, AppMessageRuleRequest request, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var rule = await db.FindVisibleAsync<AppMessageRule>(id, user, ct);
        if (rule is null) return Problems.NotFound("Message rule");
        if (request.SiteId != rule.SiteId) return Problems.SiteImmutable("message rule");
        if (!request.HasCriteria) return NoCriteria();
        request.ApplyTo(rule);
        rule.UpdatedAt = clock.GetCurrentInstant();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(AppMessageRuleResponse.From(rule));
    }

    /// <summary>A rule matching everyone would be a site-wide message; asking for one keeps the two apart.</summary>
    private static ValidationProblem NoCriteria() =>
        Problems.Invalid("rule_without_criteria", "personTypes", "Name at least one person type, membership status or tag; for everyone, send a site-wide message.");

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete<T>(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct)
        where T : class, Audit.IAudited, ISiteOwned
    {
        var found = await db.FindVisibleAsync<T>(id, user, ct);
        if (found is null) return Problems.NotFound(typeof(T) == typeof(AppMessage) ? "Message" : "Message rule");
        db.Remove(found);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
