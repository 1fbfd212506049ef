using Portier.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Auth;

/// <summary>Admin accounts and the roles that bundle their permissions. Managing them needs full access.</summary>
public static class AdminsApi
{
    public static IEndpointRouteBuilder MapAdminsApi(this IEndpointRouteBuilder app)
    {
        var admins = app.MapApiGroup(AdminsRoutes.Admins, "Auth");
        admins.MapGet(ApiRoutes.Root, ListAdmins).RequirePermission(Permissions.AdminsRead);
        admins.MapGet(ApiRoutes.Item, GetAdmin).RequirePermission(Permissions.AdminsRead);
        admins.MapPost(ApiRoutes.Root, CreateAdmin).RequirePermission(Permissions.FullAccess);
        admins.MapPut(ApiRoutes.Item, UpdateAdmin).RequirePermission(Permissions.FullAccess);

        var roles = app.MapApiGroup(AdminsRoutes.Roles, "Auth");
        roles.MapGet(ApiRoutes.Root, ListRoles).RequirePermission(Permissions.AdminsRead);
        roles.MapPost(ApiRoutes.Root, CreateRole).RequirePermission(Permissions.FullAccess);
        roles.MapPut(ApiRoutes.Item, UpdateRole).RequirePermission(Permissions.FullAccess);
        roles.MapDelete(ApiRoutes.Item, DeleteRole).RequirePermission(Permissions.FullAccess);
        return app;
    }

    private static async Task<Paged<AdminResponse>> ListAdmins(PortierDbContext db, string? q, int? page, int? pageSize, CancellationToken ct)
    {
        var query = db.Set<AdminAccount>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(q)) query = query.Where(a => a.Email.Contains(q) || a.Name.Contains(q));
        return await new PageRequest(page, pageSize).ApplyAsync(query.OrderBy(a => a.Email), AdminResponse.From, ct);
    }

    private static async Task<Results<Ok<AdminResponse>, ProblemHttpResult>> GetAdmin(Guid id, PortierDbContext db, CancellationToken ct) =>
        await db.Set<AdminAccount>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct) is { } admin
            ? TypedResults.Ok(AdminResponse.From(admin))
            : Problems.NotFound("Admin");

    private static async Task<Results<Created<AdminResponse>, ProblemHttpResult>> CreateAdmin(
        AdminRequest request, PortierDbContext db, SsoProviders sso, TimeProvider clock, CancellationToken ct)
    {
        if (SsoUnavailable(request, sso) is { } refused) return refused;
        var email = request.Email.Trim().ToLowerInvariant();
        if (await db.Set<AdminAccount>().AnyAsync(a => a.Email == email, ct))
            return Problems.Conflict("email_taken", "An admin with this email exists.", "email");
        if (await UnknownRoleAsync(db, request.RoleIds, ct)) return Problems.BadRequest("unknown_role", "A role id does not exist.", "roleIds");
        var admin = new AdminAccount { Email = email, Name = request.Name.Trim(), CreatedAt = clock.GetCurrentInstant() };
        Apply(request, admin);
        db.Add(admin);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/admins/{admin.Id}", AdminResponse.From(admin));
    }

    /// <summary>
    /// Access that ends, ends everywhere: disabling an admin or limiting it to single sign-on revokes all its
    /// sessions, a new password revokes all but the session that set it, and open live-stream connections are re-checked.
    /// </summary>
    private static async Task<Results<Ok<AdminResponse>, ProblemHttpResult>> UpdateAdmin(
        Guid id, AdminRequest request, PortierDbContext db, CurrentUser user, SsoProviders sso, AccessRevocations revocations, CancellationToken ct)
    {
        if (SsoUnavailable(request, sso) is { } refused) return refused;
        var admin = await db.Set<AdminAccount>().FirstOrDefaultAsync(a => a.Id == id, ct);
        if (admin is null) return Problems.NotFound("Admin");
        var email = request.Email.Trim().ToLowerInvariant();
        if (await db.Set<AdminAccount>().AnyAsync(a => a.Email == email && a.Id != id, ct))
            return Problems.Conflict("email_taken", "An admin with this email exists.", "email");
        if (await UnknownRoleAsync(db, request.RoleIds, ct)) return Problems.BadRequest("unknown_role", "A role id does not exist.", "roleIds");
        var becameSsoOnly = request.SsoOnly && !admin.SsoOnly;
        admin.Email = email;
        admin.Name = request.Name.Trim();
        Apply(request, admin);
        if (admin.Disabled || request.Password is not null || becameSsoOnly)
        {
            var keep = request.Password is not null && !admin.Disabled && !becameSsoOnly && user.AdminId == admin.Id ? user.TokenId : null;
            foreach (var session in await db.Set<ApiToken>().Where(t => t.AdminId == admin.Id && t.Kind == TokenKind.Session && !t.Revoked && t.Id != keep).ToListAsync(ct))
                session.Revoked = true;
        }
        await db.SaveChangesAsync(ct);
        revocations.Announce();
        return TypedResults.Ok(AdminResponse.From(admin));
    }

    internal static void Apply(AdminRequest request, AdminAccount admin)
    {
        admin.RoleIds = (request.RoleIds ?? []).Distinct().ToList();
        admin.SiteIds = (request.SiteIds ?? []).Distinct().ToList();
        admin.Disabled = request.Disabled;
        admin.SsoOnly = request.SsoOnly;
        if (request.Password is not null) admin.PasswordHash = new PasswordHasher<AdminAccount>().HashPassword(admin, request.Password);
    }

    /// <summary>An admin limited to single sign-on needs a provider to sign in with, or it could never sign in.</summary>
    private static ProblemHttpResult? SsoUnavailable(AdminRequest request, SsoProviders sso) =>
        request.SsoOnly && !sso.Any
            ? Problems.BadRequest("sso_not_configured", "No single sign-on provider is configured (Sso:Providers), so no admin can be limited to it.", "ssoOnly")
            : null;

    private static async Task<bool> UnknownRoleAsync(PortierDbContext db, IReadOnlyList<Guid>? roleIds, CancellationToken ct)
    {
        var wanted = (roleIds ?? []).Distinct().ToList();
        return wanted.Count > 0 && await db.Set<Role>().CountAsync(r => wanted.Contains(r.Id), ct) != wanted.Count;
    }

    private static async Task<Paged<RoleResponse>> ListRoles(PortierDbContext db, int? page, int? pageSize, CancellationToken ct) =>
        await new PageRequest(page, pageSize).ApplyAsync(db.Set<Role>().AsNoTracking().OrderBy(r => r.Name), RoleResponse.From, ct);

    private static async Task<Results<Created<RoleResponse>, ProblemHttpResult>> CreateRole(RoleRequest request, PortierDbContext db, CancellationToken ct)
    {
        if (await db.Set<Role>().AnyAsync(r => r.Name == request.Name.Trim(), ct))
            return Problems.Conflict("role_name_taken", "A role with this name exists.", "name");
        var role = new Role { Name = request.Name.Trim(), Permissions = request.Permissions.Distinct(StringComparer.Ordinal).ToList() };
        db.Add(role);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/roles/{role.Id}", RoleResponse.From(role));
    }

    private static async Task<Results<Ok<RoleResponse>, ProblemHttpResult>> UpdateRole(
        Guid id, RoleRequest request, PortierDbContext db, AccessRevocations revocations, CancellationToken ct)
    {
        var role = await db.Set<Role>().FirstOrDefaultAsync(r => r.Id == id, ct);
        if (role is null) return Problems.NotFound("Role");
        if (await db.Set<Role>().AnyAsync(r => r.Name == request.Name.Trim() && r.Id != id, ct))
            return Problems.Conflict("role_name_taken", "A role with this name exists.", "name");
        role.Name = request.Name.Trim();
        role.Permissions = request.Permissions.Distinct(StringComparer.Ordinal).ToList();
        await db.SaveChangesAsync(ct);
        revocations.Announce();
        return TypedResults.Ok(RoleResponse.From(role));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteRole(Guid id, PortierDbContext db, CancellationToken ct)
    {
        var role = await db.Set<Role>().FirstOrDefaultAsync(r => r.Id == id, ct);
        if (role is null) return Problems.NotFound("Role");
        if ((await db.Set<AdminAccount>().Select(a => a.RoleIds).ToListAsync(ct)).Any(ids => ids.Contains(id)))
            return Problems.Conflict("role_in_use", "Remove the role from its admins first.");
        db.Remove(role);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
