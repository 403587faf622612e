//! Ownership checks after a fetch in Python handlers.

mod py_support;

use lm_core::fact::FactData;
use py_support::*;

fn owner_checks(f: &[lm_core::Fact]) -> Vec<String> {
    f.iter()
        .filter_map(|x| match &x.data {
            FactData::RoleCheck(r) if r.role.as_deref() == Some("owner") => {
                assert!(r.enforced);
                Some(r.expr.clone())
            }
            _ => None,
        })
        .collect()
}

#[test]
fn fastapi_row_checked_after_get() {
    let src = r#"
from fastapi import APIRouter, Depends, HTTPException
from sqlmodel import Session

router = APIRouter()

@router.delete("/items/{id}")
def delete_item(id: int, session: Session = Depends(get_session), current_user: User = Depends(get_current_user)):
    item = session.get(Item, id)
    if not item:
        raise HTTPException(status_code=404, detail="Item not found")
    if not current_user.is_superuser and (item.owner_id != current_user.id):
        raise HTTPException(status_code=403, detail="Not enough permissions")
    session.delete(item)
    session.commit()
    return {"ok": True}

@router.get("/notes/{note_id}")
def read_note(note_id: int, session: Session = Depends(get_session), current_user: User = Depends(get_current_user)):
    note = session.get(Note, note_id)
    if note.owner_id != current_user.id:
        raise HTTPException(status_code=403)
    return note
"#;
    let f = facts(src);
    assert_eq!(
        owner_checks(&f),
        vec![
            "item.owner_id != current_user.id".to_string(),
            "note.owner_id != current_user.id".to_string()
        ]
    );
}

#[test]
fn look_alikes_are_not_owner_checks() {
    let src = r#"
import logging
from fastapi import APIRouter, Depends, HTTPException

router = APIRouter()
log = logging.getLogger(__name__)

@router.put("/items/{id}")
def update_item(id: int, owner_id: int, session: Session = Depends(get_session), current_user: User = Depends(get_current_user)):
    item = session.get(Item, id)
    if item.owner_id != owner_id:
        raise HTTPException(status_code=400)
    if item.owner_id != current_user.id:
        log.warning("editing someone else's item %s", id)
    if owner_id != id:
        raise HTTPException(status_code=400)
    return item
"#;
    let f = facts(src);
    assert!(owner_checks(&f).is_empty(), "{f:#?}");
}
