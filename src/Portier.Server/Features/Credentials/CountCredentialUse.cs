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
    /// <summary>
    /// One UPDATE per distinct number of uses in the batch (usually one for all of it), written as
    /// SQL with a parameter per credential: it runs in every group commit of the scan path.
    /// </summary>
    public async ValueTask StageAllAsync(PortierDbContext db, IReadOnlyList<IEventCompanion> ofThisType, CancellationToken ct)
    {
        var uses = ofThisType.Cast<CountCredentialUse>().CountBy(u => u.CredentialId);
        var credentials = StoreTable.Of<Credential>(db);
        var useCount = credentials.Column(nameof(Credential.UseCount));
        foreach (var group in uses.GroupBy(u => u.Value, u => u.Key))
        {
            foreach (var ids in group.Chunk(50))
            {
                var arguments = new SqlArguments();
                var sql = "UPDATE " + credentials.Name + " SET " + useCount + " = " + useCount + " + " + arguments.Add(group.Key)
                    + " WHERE " + credentials.Column(nameof(Credential.Id)) + " IN (" + arguments.AddList(ids) + ")";
                await db.Database.ExecuteSqlRawAsync(sql, arguments.Values, ct);
            }
        }
    }
}
