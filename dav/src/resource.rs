//! Resolving a path to the resource it names, with the owner check.
//!
//! A principal sees only its own home: another user's resources answer 404, never 403, so
//! nothing about them leaks. Below the home, the longest existing collection prefix wins:
//! `a/b/c` is the collection `a/b/c` if it exists, else the object `c` in `a/b`.

use crate::context::DavContext;
use crate::error::{DavError, DavResult};
use crate::path::{self, DavPath, INBOX, OUTBOX};
use calinvite_storage::{Collection, ObjectMeta, Principal};

#[derive(Debug, Clone)]
pub enum Resource {
    Root,
    PrincipalsRoot,
    Principal(Principal),
    CalendarsRoot,
    Home(Principal),
    Inbox(Principal),
    Outbox(Principal),
    Collection(Collection),
    Object {
        collection: Collection,
        meta: ObjectMeta,
    },
    /// Nothing there yet: what a PUT, MKCOL, MKCALENDAR, COPY or MOVE may create.
    Missing(Missing),
}

#[derive(Debug, Clone)]
pub struct Missing {
    /// Path below the home.
    pub path: String,
    pub parent: Parent,
}

#[derive(Debug, Clone)]
pub enum Parent {
    Home,
    Collection(Collection),
    /// The parent does not exist (RFC 4918 §9.3.1, §9.7.1: 409 Conflict).
    Absent,
}

impl Missing {
    /// The last segment of the path.
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

impl Resource {
    pub fn href(&self, ctx: &DavContext) -> String {
        let user = &ctx.principal.name;
        match self {
            Resource::Root => "/dav/".into(),
            Resource::PrincipalsRoot => "/dav/principals/".into(),
            Resource::Principal(p) => path::principal_href(&p.name),
            Resource::CalendarsRoot => "/dav/calendars/".into(),
            Resource::Home(p) => path::home_href(&p.name),
            Resource::Inbox(p) => path::collection_href(&p.name, INBOX),
            Resource::Outbox(p) => path::collection_href(&p.name, OUTBOX),
            Resource::Collection(c) => path::collection_href(user, &c.path),
            Resource::Object { collection, meta } => path::object_href(user, &collection.path, &meta.name),
            Resource::Missing(m) => format!("/dav/calendars/{user}/{}", m.path),
        }
    }

    pub fn is_collection(&self) -> bool {
        !matches!(self, Resource::Object { .. } | Resource::Missing(_))
    }
}

pub async fn resolve(ctx: &DavContext, path: &DavPath) -> DavResult<Resource> {
    let own = |user: &str| -> DavResult<()> {
        if user == ctx.principal.name {
            Ok(())
        } else {
            Err(DavError::not_found())
        }
    };
    Ok(match path {
        DavPath::Root => Resource::Root,
        DavPath::PrincipalsRoot => Resource::PrincipalsRoot,
        DavPath::CalendarsRoot => Resource::CalendarsRoot,
        DavPath::Principal { user } => {
            own(user)?;
            Resource::Principal(ctx.principal.clone())
        }
        DavPath::Home { user } => {
            own(user)?;
            Resource::Home(ctx.principal.clone())
        }
        DavPath::Member { user, segments, .. } => {
            own(user)?;
            resolve_member(ctx, segments).await?
        }
    })
}

async fn resolve_member(ctx: &DavContext, segments: &[String]) -> DavResult<Resource> {
    let store = &ctx.store;
    let owner = ctx.principal.id;
    if let [only] = segments {
        if only == INBOX {
            return Ok(Resource::Inbox(ctx.principal.clone()));
        }
        if only == OUTBOX {
            return Ok(Resource::Outbox(ctx.principal.clone()));
        }
    }
    let full = segments.join("/");
    if let Some(c) = store.collection_by_path(owner, &full).await? {
        return Ok(Resource::Collection(c));
    }
    let (parent_path, name) = match segments.split_last() {
        Some((name, parent)) => (parent.join("/"), name.clone()),
        None => return Err(DavError::not_found()),
    };
    if parent_path.is_empty() {
        return Ok(Resource::Missing(Missing {
            path: full,
            parent: Parent::Home,
        }));
    }
    let Some(parent) = store.collection_by_path(owner, &parent_path).await? else {
        return Ok(Resource::Missing(Missing {
            path: full,
            parent: Parent::Absent,
        }));
    };
    match store.object_meta(parent.id, &name).await? {
        Some(meta) => Ok(Resource::Object {
            collection: parent,
            meta,
        }),
        None => Ok(Resource::Missing(Missing {
            path: full,
            parent: Parent::Collection(parent),
        })),
    }
}
