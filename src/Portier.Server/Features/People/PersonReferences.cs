using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Server.Features.Auth;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.People;

/// <summary>How grants, credentials and later features refer to a person they hang off.</summary>
public static class PersonReferences
{
    /// <summary>The site of a person the caller may see, or null (made-up and other-site ids alike).</summary>
    public static Task<Guid?> SiteOfPersonAsync(this PortierDbContext db, CurrentUser user, Guid personId, CancellationToken ct) =>
        db.Set<Person>().Where(p => p.Id == personId).Select(p => (Guid?)p.SiteId).FirstOrDefaultAsync(ct);

    public static ProblemHttpResult UnknownPerson() => Problems.BadRequest("unknown_person", "The person does not exist.", "personId");

    /// <summary>Reads a person's sub-list (/people/{id}/...), answering 404 for a person the caller cannot see.</summary>
    public static async Task<Results<Ok<T>, ProblemHttpResult>> ForPersonAsync<T>(
        this PortierDbContext db, CurrentUser user, Guid personId, Func<Task<T>> read, CancellationToken ct) =>
        await db.SiteOfPersonAsync(user, personId, ct) is null ? Problems.NotFound("Person") : TypedResults.Ok(await read());
}
