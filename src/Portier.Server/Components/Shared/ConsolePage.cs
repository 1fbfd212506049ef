using Portier.Server.Components.Api;
using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portier.Server.Features.Auth;

namespace Portier.Server.Components.Shared;

/// <summary>
/// What every console page shares: the API client, the signed-in admin's permissions (to hide what
/// they may not do; the API refuses it anyway), and one way to report an API answer.
/// </summary>
public abstract class ConsolePage : ComponentBase
{
    [Inject] protected ConsoleApi Api { get; set; } = default!;
    [Inject] protected ConsoleState State { get; set; } = default!;
    [Inject] protected ISnackbar Snackbar { get; set; } = default!;
    [Inject] protected NavigationManager Navigation { get; set; } = default!;
    [Inject] protected IDialogService Dialogs { get; set; } = default!;

    [CascadingParameter] private Task<AuthenticationState>? Authentication { get; set; }

    protected ClaimsPrincipal User { get; private set; } = new();

    /// <summary>Field errors of the last refused change, for <see cref="FieldErrors"/>.</summary>
    protected IDictionary<string, string[]>? Errors { get; set; }

    protected override async Task OnInitializedAsync()
    {
        if (Authentication is not null) User = (await Authentication).User;
        await LoadAsync();
    }

    protected virtual Task LoadAsync() => Task.CompletedTask;

    protected bool Can(string permission) => CurrentUser.HasPermission(User, permission);

    /// <summary>
    /// The site's person types and statuses for a rules editor; null when they cannot be read (no permission to read people),
    /// so the editor offers nothing and flags nothing rather than calling every value unknown.
    /// </summary>
    protected async Task<Features.People.PersonVocabulary?> PersonVocabularyAsync(Guid siteId) =>
        Can(Permissions.PeopleRead) ? (await Api.People.VocabularyAsync(siteId)).Value : null;

    /// <summary>The answer's value; on a problem, a snackbar with its detail and the field errors kept for the form.</summary>
    protected T? Report<T>(ApiResult<T> result, string? success = null)
    {
        Errors = result.Problem?.Errors.Count > 0 ? new Dictionary<string, string[]>(result.Problem.Errors) : null;
        if (!result.Ok) Snackbar.Add(result.Problem!.Summary, Severity.Error);
        else if (success is not null) Snackbar.Add(success, Severity.Success);
        return result.Value;
    }

    /// <summary>Runs a request record's own validation before sending it, so the form shows the same messages the API would.</summary>
    protected bool Validate(Infrastructure.Http.IValidatable request)
    {
        var errors = new Infrastructure.Http.ValidationErrors();
        request.Validate(errors);
        Errors = errors.Any ? errors.ToDictionary() : null;
        if (errors.Any) Snackbar.Add(ApiProblem.FromValidation(errors.ToDictionary()).Summary, Severity.Warning);
        return !errors.Any;
    }

    protected async Task<bool> ConfirmAsync(string title, string message, string yes) =>
        await Dialogs.ShowMessageBoxAsync(title, message, yesText: yes, cancelText: "Cancel") == true;
}
