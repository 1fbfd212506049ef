using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using NodaTime;
using Portier.Server.Features.Auth;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Audit;

/// <summary>
/// Writes an audit entry for every added, changed or deleted <see cref="IAudited"/> entity in the
/// same SaveChanges, so a change and its record commit or fail together. One instance serves every
/// context; the actor is the signed-in user of the request making the change.
/// </summary>
public sealed class AuditInterceptor(IHttpContextAccessor requests, TimeProvider clock) : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Record(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Record(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Record(DbContext? context)
    {
        if (context is null) return;
        var now = clock.GetCurrentInstant();
        var user = new CurrentUser(requests);
        var entries = context.ChangeTracker.Entries()
            .Where(e => e.Entity is IAudited && e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .Select(e => new AuditEntry
            {
                At = now,
                Actor = user.Actor,
                SiteId = (e.Entity as ISiteOwned)?.SiteId ?? (e.Entity as ISite)?.Id,
                Action = e.State switch
                {
                    EntityState.Added => "created",
                    EntityState.Deleted => "deleted",
                    _ => "updated",
                },
                EntityType = e.Metadata.ClrType.Name,
                EntityId = ((IAudited)e.Entity).Id,
                Before = e.State == EntityState.Added ? null : Snapshot(e, original: true),
                After = e.State == EntityState.Deleted ? null : Snapshot(e, original: false),
            })
            .Where(a => a.Action != "updated" || a.Before != a.After)
            .ToList();
        context.Set<AuditEntry>().AddRange(entries);
    }

    private static string Snapshot(EntityEntry entry, bool original)
    {
        var values = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in entry.Properties)
        {
            var clr = property.Metadata.PropertyInfo;
            if (clr?.IsDefined(typeof(SecretAttribute)) == true) continue;
            var value = original ? property.OriginalValue : property.CurrentValue;
            values[property.Metadata.Name] = value is Instant instant ? instant.ToString() : value;
        }
        return JsonSerializer.Serialize(values, JsonColumnOptions);
    }

    private static readonly JsonSerializerOptions JsonColumnOptions = new(JsonSerializerDefaults.Web);
}
