using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portier.Server.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Guess : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "gate_pin_lockouts");

            migrationBuilder.AddColumn<string>(
                name: "GuessingLimits",
                table: "sites",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "guess_counters",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    Scope = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    SiteId = table.Column<Guid>(type: "uuid", nullable: false),
                    Failures = table.Column<int>(type: "integer", nullable: false),
                    Locks = table.Column<int>(type: "integer", nullable: false),
                    LockedUntil = table.Column<long>(type: "bigint", nullable: true),
                    LastFailureAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_guess_counters", x => x.Key);
                });

            migrationBuilder.CreateIndex(
                name: "IX_guess_counters_LastFailureAt",
                table: "guess_counters",
                column: "LastFailureAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "guess_counters");

            migrationBuilder.DropColumn(
                name: "GuessingLimits",
                table: "sites");

            migrationBuilder.CreateTable(
                name: "gate_pin_lockouts",
                columns: table => new
                {
                    DoorId = table.Column<Guid>(type: "uuid", nullable: false),
                    Failures = table.Column<int>(type: "integer", nullable: false),
                    LockedUntil = table.Column<long>(type: "bigint", nullable: true),
                    WindowStart = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_gate_pin_lockouts", x => x.DoorId);
                });
        }
    }
}
