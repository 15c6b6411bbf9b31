"""`align publish`: check a dataset folder offline and upload it to the Hugging Face Hub."""

from __future__ import annotations

import click



@click.command("publish")
@click.argument("folder", type=click.Path())
@click.option("--repo-id", default=None, help="Dataset repository on the Hub, ORG/NAME (created if missing).")
@click.option("--private", is_flag=True, help="Create the repository as private.")
@click.option("--token-env", default="HF_TOKEN", show_default=True,
              help="Environment variable holding the token; without it, the login saved by `hf auth login`.")
@click.option("--check", "check_only", is_flag=True, help="Only check the folder and its card; upload nothing.")
def publish(folder, repo_id, private, token_env, check_only):
    """Upload FOLDER (built by `align corpus`) as a Hub dataset.

    The card's metadata and the data are checked first, offline (known languages, task and size categories,
    split sizes, features). Only the dataset files are sent: README.md, data/*.parquet, the plot, export/.
    The token is never printed or written anywhere.

    \b
    Example:
      HF_TOKEN=hf_... align publish un-ar-en/ --repo-id my-org/un-ar-en --private
    """
    from align.errors import AlignError
    from align.publish import check_folder, publish as upload, resolve_token

    check_folder(folder)
    if check_only:
        click.echo(f"{folder}: the dataset card and data are valid", err=True)
        return
    if not repo_id:
        raise AlignError("--repo-id ORG/NAME is needed to publish")
    url = upload(folder, repo_id, resolve_token(token_env), private=private,
                 say=lambda message: click.echo(f"align: {message}", err=True))
    click.echo(f"published {url}", err=True)


command = publish
