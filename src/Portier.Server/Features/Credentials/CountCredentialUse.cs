using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.AccessLog;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Credentials;

/// <summary>
/// Counts one granted use of a credential without a use limit, with the attempt's access event.
/// (A limited credential's use is taken before the event with a conditional update instead, since
/// the last use decides the answer.)
/// </summary>
public sealed record CountCredentialUse(Guid CredentialId) : IEventCompanion
{
    /// <summary>One UPDATE per distinct number of uses in the batch: usually one for all of it.</summary>
    public async ValueTask StageAllAsync(PortierDbContext db, IReadOnlyList<IEventCompanion> ofThisType, CancellationToken ct)
    {
        var uses = ofThisType.Cast<CountCredentialUse>().CountBy(u => u.CredentialId);
        foreach (var group in uses.GroupBy(u => u.Value, u => u.Key))
        {
            var ids = group.ToList();
            var count = group.Key;
            await db.Set<Credential>().Where(c => ids.Contains(c.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.UseCount, c => c.UseCount + count), ct);
        }
    }
}
