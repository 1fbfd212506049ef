using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Events;
using Portier.Server.Features.Grants;
using Portier.Server.Features.People;
using Portier.Server.Features.Scopes;
using Portier.Server.Features.Sites;
using Portier.Server.Features.Zones;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// Marks the policy snapshot stale after a save that changed policy. Live facts (a zone's count,
/// a credential's use count) change on every pass and are read at decision time instead, so they
/// alone never trigger a rebuild.
/// </summary>
public sealed class PolicyChangeInterceptor(PolicySnapshotStore store) : SaveChangesInterceptor
{
    private static readonly HashSet<Type> PolicyTypes =
        [typeof(Site), typeof(Door), typeof(Zone), typeof(AccessScope), typeof(Person), typeof(Grant), typeof(Credential), typeof(EventAccessHold),
         typeof(Features.Invites.InviteCredential)];

    private static readonly HashSet<string> LiveFactProperties = [nameof(Zone.CurrentCount), nameof(Credential.UseCount)];

    private bool _pending;

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        _pending |= ChangesPolicy(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        _pending |= ChangesPolicy(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Publish();
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Publish();
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => _pending = false;

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        _pending = false;
        return Task.CompletedTask;
    }

    private void Publish()
    {
        if (!_pending) return;
        _pending = false;
        store.MarkChanged();
    }

    private static bool ChangesPolicy(DbContext? context) =>
        context is not null && context.ChangeTracker.Entries().Any(e =>
            PolicyTypes.Contains(e.Metadata.ClrType) &&
            (e.State is EntityState.Added or EntityState.Deleted ||
             (e.State == EntityState.Modified && e.Properties.Any(p => p.IsModified && !LiveFactProperties.Contains(p.Metadata.Name)))));
}
