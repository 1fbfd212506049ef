using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portier.Server.Features.Grants;
using Portier.Server.Features.People;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Tests.Infrastructure;

/// <summary>Writes objects that have no API yet straight to the server's database.</summary>
public static class Seeding
{
    public static async Task<Guid> AddGrantAsync(this PortierServer server, Guid siteId, Guid[] doorIds, Guid[] scopeIds)
    {
        using var scope = server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var person = new Person { SiteId = siteId, Name = "Grantee", PersonType = "Member" };
        var grant = new Grant { SiteId = siteId, PersonId = person.Id, DoorIds = [.. doorIds], ScopeIds = [.. scopeIds] };
        db.AddRange(person, grant);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return grant.Id;
    }

    public static async Task<Grant> GetGrantAsync(this PortierServer server, Guid id)
    {
        using var scope = server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        return await db.Set<Grant>().AsNoTracking().FirstAsync(g => g.Id == id, TestContext.Current.CancellationToken);
    }

    /// <summary>Stores a site's zone id as it is, past the API's validation: how damaged data is staged.</summary>
    public static async Task StoreSiteTimeZoneAsync(this PortierServer server, Guid siteId, string zone)
    {
        using var scope = server.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<Site>().Where(s => s.Id == siteId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.TimeZone, zone), TestContext.Current.CancellationToken);
    }
}

public static class Counting
{
    public static async Task<int> CountAsync<T>(this PortierServer server, System.Linq.Expressions.Expression<Func<T, bool>> filter) where T : class
    {
        using var scope = server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        return await db.Set<T>().CountAsync(filter, TestContext.Current.CancellationToken);
    }
}
