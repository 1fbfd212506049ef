using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portier.Server.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TwoPerson : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "TwoPersonWindowSeconds",
                table: "doors",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "CompanionPersonId",
                table: "access_events",
                type: "uuid",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "TwoPersonWindowSeconds",
                table: "doors");

            migrationBuilder.DropColumn(
                name: "CompanionPersonId",
                table: "access_events");
        }
    }
}
